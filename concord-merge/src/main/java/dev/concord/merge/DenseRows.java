package dev.concord.merge;

import dev.concord.adapter.TaskVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense rows of a factored task vector {@code scale · left · right}, in float32, fast: the inner loop is a chain of
 * fused multiply-adds over the k factor rows for a vector of columns at a time (the Vector API), four output rows
 * at once so that each loaded piece of {@code right} serves four rows.
 *
 * <p>Why not {@link TaskVector#denseRows}: that one sums in double, scalar, and is the reference for tests; the
 * merge engine densifies every task vector several times per module and needs the vector units.
 *
 * <p>Each element is fma(c_{k−1}, r_{k−1}, … fma(c_0, r_0, 0)) with c_p = (float) (scale · left[i, p]), in that
 * order, whatever the vector width: the tail uses {@link Math#fma} in the same order, so results never depend on
 * the machine's SIMD width or on how rows are blocked.
 */
public final class DenseRows {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private DenseRows() {}

    /** Writes rows [rowStart, rowStart + rowCount) of τ, row-major, into dst from dstOffset. */
    public static void of(TaskVector tau, int rowStart, int rowCount, float[] dst, int dstOffset) {
        int k = tau.rank();
        int cols = tau.cols();
        float[] left = tau.left().data();
        float[] right = tau.right().data();
        double scale = tau.scale();
        if (k == 0) {
            java.util.Arrays.fill(dst, dstOffset, dstOffset + rowCount * cols, 0f);
            return;
        }
        float[] coef = new float[4 * k];
        int i = 0;
        for (; i + 4 <= rowCount; i += 4) {
            for (int q = 0; q < 4; q++) {
                int lo = (rowStart + i + q) * k;
                for (int p = 0; p < k; p++) {
                    coef[q * k + p] = (float) (scale * left[lo + p]);
                }
            }
            fourRows(coef, k, right, cols, dst, dstOffset + i * cols);
        }
        for (; i < rowCount; i++) {
            int lo = (rowStart + i) * k;
            for (int p = 0; p < k; p++) {
                coef[p] = (float) (scale * left[lo + p]);
            }
            oneRow(coef, k, right, cols, dst, dstOffset + i * cols);
        }
    }

    private static void fourRows(float[] coef, int k, float[] right, int cols, float[] dst, int o) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(cols);
        int j = 0;
        for (; j < bound; j += step) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int p = 0; p < k; p++) {
                FloatVector r = FloatVector.fromArray(SPECIES, right, p * cols + j);
                a0 = r.fma(FloatVector.broadcast(SPECIES, coef[p]), a0);
                a1 = r.fma(FloatVector.broadcast(SPECIES, coef[k + p]), a1);
                a2 = r.fma(FloatVector.broadcast(SPECIES, coef[2 * k + p]), a2);
                a3 = r.fma(FloatVector.broadcast(SPECIES, coef[3 * k + p]), a3);
            }
            a0.intoArray(dst, o + j);
            a1.intoArray(dst, o + cols + j);
            a2.intoArray(dst, o + 2 * cols + j);
            a3.intoArray(dst, o + 3 * cols + j);
        }
        for (; j < cols; j++) {
            for (int q = 0; q < 4; q++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(coef[q * k + p], right[p * cols + j], acc);
                }
                dst[o + q * cols + j] = acc;
            }
        }
    }

    private static void oneRow(float[] coef, int k, float[] right, int cols, float[] dst, int o) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(cols);
        int j = 0;
        for (; j < bound; j += step) {
            FloatVector a = FloatVector.zero(SPECIES);
            for (int p = 0; p < k; p++) {
                a = FloatVector.fromArray(SPECIES, right, p * cols + j).fma(FloatVector.broadcast(SPECIES, coef[p]), a);
            }
            a.intoArray(dst, o + j);
        }
        for (; j < cols; j++) {
            float acc = 0f;
            for (int p = 0; p < k; p++) {
                acc = Math.fma(coef[p], right[p * cols + j], acc);
            }
            dst[o + j] = acc;
        }
    }

    /** Σ over a block of |v|² in double (for energies). */
    static double squaredNorm(float[] v, int off, int len) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += (double) v[off + i] * v[off + i];
        }
        return s;
    }

}
