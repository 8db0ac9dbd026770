package dev.concord.merge.ops;

/**
 * DARE's random drop (Yu et al., 2023, "Language Models are Super Mario"): each entry is kept with probability
 * {@code density}, independently, by a counter-based draw ({@link MaskRandom}); kept entries are multiplied by
 * {@code scale} (1/density for DARE, 1/q for DAREx-q, a per-tensor L1 factor for mergekit's rescale, or 1).
 */
public final class DareMask {
    private DareMask() {}

    /** In place: v[off + j] (flat index firstIndex + j) becomes kept ? v·scale : 0. */
    public static void apply(MaskRandom rng, double density, double scale, float[] v, int off, int len, long firstIndex) {
        float s = (float) scale;
        for (int j = 0; j < len; j++) {
            v[off + j] = rng.keep(firstIndex + j, density) ? v[off + j] * s : 0f;
        }
    }

    /** Adds Σ|v| and Σ|kept v| of a block into {@code sums[0]} and {@code sums[1]} (for the L1 rescale). */
    public static void l1Sums(MaskRandom rng, double density, float[] v, int off, int len, long firstIndex, double[] sums) {
        double all = 0;
        double kept = 0;
        for (int j = 0; j < len; j++) {
            double a = Math.abs(v[off + j]);
            all += a;
            if (rng.keep(firstIndex + j, density)) {
                kept += a;
            }
        }
        sums[0] += all;
        sums[1] += kept;
    }
}
