package dev.concord.model.lora;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The expand half of LoRA, {@code Y[i, o] += alpha · Σ_k T[i, k] · B[o, k]}, run along output columns over Bᵀ:
 * for a block of L outputs, {@code acc = Σ_k T[i, k] · Bᵀ[k, o..o+L)} with one fused multiply-add per k in
 * increasing k, then {@code y = fma(alpha, acc, y)}. Every element takes exactly these operations whichever rows,
 * columns or segments surround it, so the result is independent of the batch and of how the work is cut; and with
 * the rank small (8 to 64), working across columns avoids the horizontal sums that dot products of length r cost.
 */
final class LoraExpand {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private LoraExpand() {}

    /**
     * For rows {@code i} in [0, rows): {@code y[(firstRow + i) * out + o] += alpha · Σ_k t[tOffset + i * rank + k] ·
     * bT[k * out + o]} for o in [colFrom, colTo).
     */
    static void run(float[] bT, int rank, int out, float alpha, float[] t, int tOffset, int rows, float[] y,
            int firstRow, int colFrom, int colTo) {
        FloatVector alphaV = FloatVector.broadcast(S, alpha);
        int step = S.length();
        for (int i = 0; i < rows; i++) {
            int tRow = tOffset + i * rank;
            int yRow = (firstRow + i) * out;
            int o = colFrom;
            for (; o + step <= colTo; o += step) {
                FloatVector acc = FloatVector.zero(S);
                for (int k = 0; k < rank; k++) {
                    acc = FloatVector.fromArray(S, bT, k * out + o).fma(FloatVector.broadcast(S, t[tRow + k]), acc);
                }
                acc.fma(alphaV, FloatVector.fromArray(S, y, yRow + o)).intoArray(y, yRow + o);
            }
            if (o < colTo) {
                VectorMask<Float> m = S.indexInRange(o, colTo);
                FloatVector acc = FloatVector.zero(S);
                for (int k = 0; k < rank; k++) {
                    acc = FloatVector.fromArray(S, bT, k * out + o, m).fma(FloatVector.broadcast(S, t[tRow + k]), acc);
                }
                acc.fma(alphaV, FloatVector.fromArray(S, y, yRow + o, m)).intoArray(y, yRow + o, m);
            }
        }
    }
}
