package dev.concord.merge.ops;

import java.util.Arrays;

/**
 * DELLA's MAGPRUNE (Deep et al., 2024): within a group of n entries (a row by default, as mergekit's
 * {@code della_magprune} ranks along dim 1; or a whole tensor), entries are ranked by magnitude and kept with a
 * probability that grows linearly with the rank from density − ε (smallest) to density + ε (largest); a kept
 * entry is divided by its own keep probability p so that its expectation is unchanged.
 *
 * <p>Rank of an entry = the number of entries in its group with a strictly smaller magnitude, normalised by
 * n − 1 (so ranks run over [0, 1]). Equal magnitudes share the lowest rank among them; with no ties this is
 * exactly mergekit's {@code argsort().argsort()} ranking, and with ties it stays deterministic where argsort is
 * not. A group of one entry has the middle probability, density.
 */
public final class Della {
    private Della() {}

    /** Keep probability of an entry whose normalised rank is {@code rankNorm} ∈ [0, 1]. */
    public static double keepProbability(double rankNorm, double density, double epsilon) {
        return density - epsilon + rankNorm * 2 * epsilon;
    }

    /** The sorted magnitudes of a group, the reference against which ranks are counted. */
    public static float[] sortedMagnitudes(float[] v, int off, int len) {
        float[] a = new float[len];
        for (int j = 0; j < len; j++) {
            a[j] = Math.abs(v[off + j]);
        }
        Arrays.sort(a);
        return a;
    }

    /** Normalised rank of magnitude {@code abs} among the sorted magnitudes of its group. */
    public static double rankNorm(float[] sorted, float abs) {
        int n = sorted.length;
        if (n <= 1) {
            return 0.5;
        }
        return (double) lowerBound(sorted, abs) / (n - 1);
    }

    /**
     * In place: applies the random mask to {@code len} entries whose group's sorted magnitudes are given; kept
     * entries are divided by their p when {@code inverseRescale}. Flat indices start at {@code firstIndex}.
     */
    public static void apply(float[] sorted, MaskRandom rng, double density, double epsilon, boolean inverseRescale,
            float[] v, int off, int len, long firstIndex) {
        for (int j = 0; j < len; j++) {
            float x = v[off + j];
            double p = keepProbability(rankNorm(sorted, Math.abs(x)), density, epsilon);
            if (rng.keep(firstIndex + j, p)) {
                v[off + j] = inverseRescale ? (float) (x / p) : x;
            } else {
                v[off + j] = 0f;
            }
        }
    }

    /** Adds Σ|v| and Σ|kept v| into sums[0], sums[1] (for mergekit's L1 rescale). */
    public static void l1Sums(float[] sorted, MaskRandom rng, double density, double epsilon,
            float[] v, int off, int len, long firstIndex, double[] sums) {
        for (int j = 0; j < len; j++) {
            float a = Math.abs(v[off + j]);
            sums[0] += a;
            double p = keepProbability(rankNorm(sorted, a), density, epsilon);
            if (rng.keep(firstIndex + j, p)) {
                sums[1] += a;
            }
        }
    }

    /** First position whose value is not less than {@code x}: the count of strictly smaller entries. */
    static int lowerBound(float[] sorted, float x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
