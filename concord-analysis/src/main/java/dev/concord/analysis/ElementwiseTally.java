package dev.concord.analysis;

import dev.concord.merge.ops.MajoritySign;
import dev.concord.merge.ops.TiesConsensus;

/**
 * Sums over the positions of one module that the element-wise statistics need: every position when exact, or the
 * N sampled ones (each standing for numel/N positions) with {@code --sample}. Filled batch by batch from the dense
 * values of every adapter, their trims and their DARE drops; batches are added in a fixed order, so sums do not
 * depend on threads.
 *
 * <p>Besides the plain sums it keeps sums of squares and cross products: with them {@link RatioEstimate} turns a
 * sampled module into a stratum of a ratio estimator with a variance, hence a confidence interval.
 */
public final class ElementwiseTally {
    /** Per-pair slots. Everything is summed over positions where both trimmed values are non-zero. */
    static final int BOTH = 0;
    static final int OPPOSITE = 1;
    /** Σ min(|t_a|, |t_b|): the magnitude that cancels when the two are added. */
    static final int MIN = 2;
    static final int MIN_SQ = 3;
    /** Σ over opposite-sign positions of min(|t_a|, |t_b|): the magnitude sign election discards in this pair. */
    static final int OPPOSITE_MIN = 4;
    static final int OPPOSITE_MIN_SQ = 5;
    /** Σ over opposite-sign positions of min(|t_a|, |t_b|)·(|t_a| + |t_b|). */
    static final int OPPOSITE_MIN_MASS = 6;
    /** Σ |t_a|·|t_b|. */
    static final int ABS_PRODUCT = 7;
    static final int PAIR_SLOTS = 8;

    /** TIES as PEFT runs it: sign of the sum of trimmed values, unweighted election, mean of the agreeing ones. */
    static final TiesConsensus PEFT_TIES = TiesConsensus.peft(MajoritySign.TOTAL);

    final int adapters;
    final int depth;
    /** Positions summed (N when sampled, numel when exact). */
    long positions;

    final double[] trimmedL1;
    final double[] trimmedL2;
    /** Σ merged·v_i and Σ (merged·v_i)² for TIES and DARE-TIES merges of the whole set. */
    final double[] tiesDot;
    final double[] tiesDotSq;
    final double[] dareDot;
    final double[] dareDotSq;
    /** Σ d_i·v_i: what DARE keeps of adapter i when it is merged alone. */
    final double[] dareSelf;
    /** prefixDot[k − 1][i] = Σ merged_k·v_i, merged_k the TIES merge of the first k adapters (k ≤ depth). */
    final double[][] prefixDot;
    final double[] pairs;

    /** Positions where at least two adapters have a non-zero trimmed value, and among them those that agree. */
    long multi;
    long agree;
    /** Σ over positions of the |trimmed| mass that TIES' sign election discards, and of the whole trimmed mass. */
    double discarded;
    double discardedSq;
    double mass;
    double massSq;
    double discardedMass;

    ElementwiseTally(int adapters, int depth) {
        this.adapters = adapters;
        this.depth = depth;
        trimmedL1 = new double[adapters];
        trimmedL2 = new double[adapters];
        tiesDot = new double[adapters];
        tiesDotSq = new double[adapters];
        dareDot = new double[adapters];
        dareDotSq = new double[adapters];
        dareSelf = new double[adapters];
        prefixDot = new double[depth][adapters];
        pairs = new double[pairCount(adapters) * PAIR_SLOTS];
    }

    static int pairCount(int n) {
        return n * (n - 1) / 2;
    }

    /** Index of the pair (a, b), a &lt; b, in the row-by-row enumeration of the upper triangle. */
    static int pairIndex(int a, int b, int n) {
        return a * n - a * (a + 1) / 2 + (b - a - 1);
    }

    /**
     * Adds {@code len} positions. Arrays of adapters absent from the module are null.
     *
     * @param values the adapters' values (v_i)
     * @param trimmed the values after the magnitude trim (t_i)
     * @param dropped the values after DARE's random drop and rescale
     * @param weights w_i of the merges
     */
    void add(float[][] values, float[][] trimmed, float[][] dropped, int len, double[] weights) {
        int n = adapters;
        positions += len;
        float[] ties = new float[len];
        float[] dare = new float[len];
        PEFT_TIES.combine(trimmed, 0, len, weights, ties, 0);
        PEFT_TIES.combine(dropped, 0, len, weights, dare, 0);
        for (int i = 0; i < n; i++) {
            float[] v = values[i];
            float[] t = trimmed[i];
            float[] d = dropped[i];
            if (v == null) {
                continue;
            }
            double self = 0;
            double l1 = 0;
            double l2 = 0;
            double td = 0;
            double tdSq = 0;
            double dd = 0;
            double ddSq = 0;
            for (int j = 0; j < len; j++) {
                double a = Math.abs(t[j]);
                l1 += a;
                l2 += a * a;
                double x = (double) ties[j] * v[j];
                td += x;
                tdSq += x * x;
                double y = (double) dare[j] * v[j];
                dd += y;
                ddSq += y * y;
                self += (double) d[j] * v[j];
            }
            dareSelf[i] += self;
            trimmedL1[i] += l1;
            trimmedL2[i] += l2;
            tiesDot[i] += td;
            tiesDotSq[i] += tdSq;
            dareDot[i] += dd;
            dareDotSq[i] += ddSq;
        }
        addPrefixes(values, trimmed, len, weights);
        addPositions(trimmed, len);
    }

    private void addPrefixes(float[][] values, float[][] trimmed, int len, double[] weights) {
        float[][] stack = new float[adapters][];
        float[] merged = new float[len];
        for (int k = 1; k <= depth; k++) {
            stack[k - 1] = trimmed[k - 1];
            PEFT_TIES.combine(stack, 0, len, weights, merged, 0);
            for (int i = 0; i < k; i++) {
                float[] v = values[i];
                if (v == null) {
                    continue;
                }
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += (double) merged[j] * v[j];
                }
                prefixDot[k - 1][i] += s;
            }
        }
    }

    /** Pairwise sign statistics, agreement and TIES' discarded mass, position by position. */
    private void addPositions(float[][] trimmed, int len) {
        int n = adapters;
        int[] nz = new int[n];
        float[] val = new float[n];
        for (int j = 0; j < len; j++) {
            int c = 0;
            double sum = 0;
            double abs = 0;
            for (int i = 0; i < n; i++) {
                float[] t = trimmed[i];
                if (t != null && t[j] != 0f) {
                    nz[c] = i;
                    val[c] = t[j];
                    c++;
                    sum += t[j];
                    abs += Math.abs(t[j]);
                }
            }
            if (c == 0) {
                continue;
            }
            // TIES elects + when the sum is ≥ 0; entries of the other sign are discarded
            boolean plus = sum >= 0;
            double lost = 0;
            int positive = 0;
            for (int x = 0; x < c; x++) {
                if (val[x] > 0) {
                    positive++;
                }
                if (plus ? val[x] < 0 : val[x] > 0) {
                    lost += Math.abs(val[x]);
                }
            }
            discarded += lost;
            discardedSq += lost * lost;
            mass += abs;
            massSq += abs * abs;
            discardedMass += lost * abs;
            if (c < 2) {
                continue;
            }
            multi++;
            if (positive == 0 || positive == c) {
                agree++;
            }
            for (int x = 0; x < c; x++) {
                int a = nz[x];
                float ta = val[x];
                double absA = Math.abs(ta);
                int rowBase = a * n - a * (a + 1) / 2 - a - 1;
                for (int y = x + 1; y < c; y++) {
                    int b = nz[y];
                    float tb = val[y];
                    double absB = Math.abs(tb);
                    double min = Math.min(absA, absB);
                    int o = (rowBase + b) * PAIR_SLOTS;
                    pairs[o + BOTH] += 1;
                    pairs[o + MIN] += min;
                    pairs[o + MIN_SQ] += min * min;
                    pairs[o + ABS_PRODUCT] += absA * absB;
                    if ((ta > 0) != (tb > 0)) {
                        pairs[o + OPPOSITE] += 1;
                        pairs[o + OPPOSITE_MIN] += min;
                        pairs[o + OPPOSITE_MIN_SQ] += min * min;
                        pairs[o + OPPOSITE_MIN_MASS] += min * (absA + absB);
                    }
                }
            }
        }
    }

    /** Adds another tally of the same module (a later batch range). */
    void addAll(ElementwiseTally o) {
        positions += o.positions;
        for (int i = 0; i < adapters; i++) {
            trimmedL1[i] += o.trimmedL1[i];
            trimmedL2[i] += o.trimmedL2[i];
            tiesDot[i] += o.tiesDot[i];
            tiesDotSq[i] += o.tiesDotSq[i];
            dareDot[i] += o.dareDot[i];
            dareDotSq[i] += o.dareDotSq[i];
            dareSelf[i] += o.dareSelf[i];
            for (int k = 0; k < depth; k++) {
                prefixDot[k][i] += o.prefixDot[k][i];
            }
        }
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] += o.pairs[i];
        }
        multi += o.multi;
        agree += o.agree;
        discarded += o.discarded;
        discardedSq += o.discardedSq;
        mass += o.mass;
        massSq += o.massSq;
        discardedMass += o.discardedMass;
    }

    /** The pair slots of (a, b), a &lt; b. */
    double pair(int a, int b, int slot) {
        return pairs[pairIndex(a, b, adapters) * PAIR_SLOTS + slot];
    }
}
