package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.tensor.linalg.LowRank;
import dev.concord.tensor.linalg.LowRankSvd;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * KnOTS' alignment of T task vectors on one module: the thin SVD of their column concatenation
 * [τ_1 | τ_2 | … | τ_T] = U·Σ·[V_1ᵀ | V_2ᵀ | … | V_Tᵀ], so that τ_t = U·(Σ·V_tᵀ) for every t: all tasks share the
 * basis U, and task t is described by its own coefficients Σ·V_tᵀ [p, cols] in that basis.
 *
 * <p>Exact from the factors: with τ_t = s_t·B_t·A_t, the concatenation is [s_1B_1 | … | s_TB_T] ·
 * blockdiag(A_1, …, A_T), a product of inner dimension Σ r_t, whose SVD {@link LowRank#svd()} computes through QR
 * of both factors and an SVD of the small core. Singular values at rounding level are dropped (relative 1e-10),
 * so U·Σ·V_tᵀ still rebuilds τ_t to rounding.
 *
 * @param u           U [rows, p], orthonormal columns
 * @param sigma       σ, descending, length p
 * @param coordinates per task, Σ·V_tᵀ as a row-major [p, cols] array
 */
record KnotsAlignment(DMatrixRMaj u, double[] sigma, List<float[]> coordinates) {
    int rank() {
        return sigma.length;
    }

    /** @param taus the task vectors (unweighted), each [rows, cols], in the order their coordinates are wanted */
    static KnotsAlignment of(List<TaskVector> taus, int rows, int cols) {
        int total = 0;
        for (TaskVector t : taus) {
            total += t.rank();
        }
        int tasks = taus.size();
        DMatrixRMaj left = new DMatrixRMaj(rows, total);
        DMatrixRMaj right = new DMatrixRMaj(total, tasks * cols);
        int at = 0;
        for (int t = 0; t < tasks; t++) {
            TaskVector tau = taus.get(t);
            int r = tau.rank();
            float[] b = tau.left().data();
            float[] a = tau.right().data();
            double s = tau.scale();
            for (int i = 0; i < rows; i++) {
                for (int p = 0; p < r; p++) {
                    left.data[i * total + at + p] = s * b[i * r + p];
                }
            }
            for (int p = 0; p < r; p++) {
                int dst = (at + p) * tasks * cols + t * cols;
                for (int j = 0; j < cols; j++) {
                    right.data[dst + j] = a[p * cols + j];
                }
            }
            at += r;
        }
        LowRankSvd svd = LowRank.of(left, right, 1.0).svd();
        int p = svd.rank();
        DMatrixRMaj u = svd.u();
        DMatrixRMaj vt = svd.vt();
        double[] sigma = svd.sigma();
        fixSigns(u, vt);
        List<float[]> coordinates = new java.util.ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            float[] c = new float[p * cols];
            for (int q = 0; q < p; q++) {
                int src = q * tasks * cols + t * cols;
                for (int j = 0; j < cols; j++) {
                    c[q * cols + j] = (float) (sigma[q] * vt.data[src + j]);
                }
            }
            coordinates.add(c);
        }
        return new KnotsAlignment(u, sigma, List.copyOf(coordinates));
    }

    /**
     * Singular vectors are defined up to a joint sign (u, v) → (−u, −v), and TIES' election breaks a tied vote
     * towards +, so without a convention the merge would depend on the SVD routine. Concord makes the
     * largest-magnitude entry of every u positive (the lowest row on ties), flipping v with it.
     */
    static void fixSigns(DMatrixRMaj u, DMatrixRMaj vt) {
        int rows = u.numRows;
        int p = u.numCols;
        for (int q = 0; q < p; q++) {
            int arg = 0;
            for (int i = 1; i < rows; i++) {
                if (Math.abs(u.data[i * p + q]) > Math.abs(u.data[arg * p + q])) {
                    arg = i;
                }
            }
            if (u.data[arg * p + q] < 0) {
                for (int i = 0; i < rows; i++) {
                    u.data[i * p + q] = -u.data[i * p + q];
                }
                for (int j = 0; j < vt.numCols; j++) {
                    vt.data[q * vt.numCols + j] = -vt.data[q * vt.numCols + j];
                }
            }
        }
    }
}
