package dev.concord.merge.ops;

/**
 * The sign election and disjoint merge of TIES on a stack of already-sparsified task vectors, element by element.
 *
 * <p>For each position j with entries t_i (unweighted, as trimmed) and weights w_i: the ballot entry is
 * e_i = t_i (PEFT: unweighted election) or w_i·t_i (mergekit: weighted election); the elected sign is + when
 * Σ e_i ≥ 0 ({@link MajoritySign#TOTAL}) or Σ sign(e_i) ≥ 0 ({@link MajoritySign#FREQUENCY}), − otherwise; entry i
 * agrees when sign(e_i) equals the elected sign (so zeros never agree); the result is Σ_agree w_i·t_i divided as
 * {@link DisjointMean} says. Sums are taken in double so that the float rounding of the inputs is all the error.
 */
public record TiesConsensus(MajoritySign majority, boolean weightedElection, DisjointMean disjoint) {
    /** PEFT's {@code ties}: total, unweighted election, count divisor. */
    public static TiesConsensus peft(MajoritySign majority) {
        return new TiesConsensus(majority, false, DisjointMean.COUNT);
    }

    /**
     * Merges {@code len} positions: out[outOff + j] = consensus of stack[i][off + j] over the tasks i.
     * A null row in the stack is a task that is absent here (an all-zero tensor), which never votes.
     */
    public void combine(float[][] stack, int off, int len, double[] weights, float[] out, int outOff) {
        int n = stack.length;
        for (int j = 0; j < len; j++) {
            double ballot = 0;
            for (int i = 0; i < n; i++) {
                float[] s = stack[i];
                if (s == null) {
                    continue;
                }
                double e = weightedElection ? weights[i] * s[off + j] : s[off + j];
                ballot += majority == MajoritySign.TOTAL ? e : Math.signum(e);
            }
            boolean plus = ballot >= 0;
            double sum = 0;
            double divisor = 0;
            for (int i = 0; i < n; i++) {
                float[] s = stack[i];
                if (s == null) {
                    continue;
                }
                float t = s[off + j];
                double e = weightedElection ? weights[i] * t : t;
                if (plus ? e > 0 : e < 0) {
                    sum += weights[i] * t;
                    divisor += disjoint == DisjointMean.WEIGHT ? weights[i] : 1;
                }
            }
            out[outOff + j] = (float) switch (disjoint) {
                case COUNT -> sum / Math.max(1, divisor);
                case WEIGHT -> divisor == 0 ? sum : sum / divisor;
                case SUM -> sum;
            };
        }
    }
}
