package dev.concord.merge.elementwise;

import dev.concord.merge.ops.TiesConsensus;

/** How the sparsified stack becomes one tensor: a weighted sum, or TIES' sign election and disjoint merge. */
@FunctionalInterface
public interface Combination {
    /** out[j] for j < len from stack[i][j] (null rows: adapters absent from the module) and weights w_i. */
    void combine(float[][] stack, double[] weights, int len, float[] out);

    /** Σ_i w_i·t_i, summed in double. */
    Combination LINEAR = (stack, weights, len, out) -> {
        for (int j = 0; j < len; j++) {
            double s = 0;
            for (int i = 0; i < stack.length; i++) {
                if (stack[i] != null) {
                    s += weights[i] * stack[i][j];
                }
            }
            out[j] = (float) s;
        }
    };

    static Combination ties(TiesConsensus consensus) {
        return (stack, weights, len, out) -> consensus.combine(stack, 0, len, weights, out, 0);
    }
}
