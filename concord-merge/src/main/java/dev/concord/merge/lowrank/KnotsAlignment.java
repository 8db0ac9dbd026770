package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.tensor.linalg.HouseholderQr;
import dev.concord.tensor.linalg.LowRank;
import dev.concord.tensor.linalg.LowRankSvd;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * KnOTS' alignment of T task vectors on one module: the thin SVD of their column concatenation
 * [τ_1 | τ_2 | … | τ_T] = U·Σ·[V_1ᵀ | V_2ᵀ | … | V_Tᵀ], so that τ_t = U·(Σ·V_tᵀ) for every t: all tasks share the
 * basis U, and task t is described by its own coefficients Σ·V_tᵀ [p, cols] in that basis.
 *
 * <p>Exact from the factors: with τ_t = s_t·B_t·A_t, the concatenation is [s_1B_1 | … | s_TB_T] ·
 * blockdiag(A_1, …, A_T), a product of inner dimension Σ r_t. Each A_tᵀ is QR-factored on its own, so the only
 * SVD is that of a [rows, Σ r_t] matrix ({@link LowRank#svd()}: QR and an SVD of a small core); nothing of size
 * rows × T·cols is formed. The signs of the singular vectors follow {@link #fixSigns}. Singular values at rounding level are dropped (relative 1e-10), so U·Σ·V_tᵀ still
 * rebuilds τ_t to rounding.
 *
 * @param u           U [rows, p], orthonormal columns
 * @param sigma       σ, descending, length p
 * @param coordinates per task, Σ·V_tᵀ as a row-major [p, cols] array (fresh arrays, which the caller sparsifies
 *                    in place)
 */
record KnotsAlignment(DMatrixRMaj u, double[] sigma, List<float[]> coordinates) {
    int rank() {
        return sigma.length;
    }

    /** @param taus the task vectors (unweighted), each [rows, cols], in the order their coordinates are wanted */
    static KnotsAlignment of(List<TaskVector> taus, int rows, int cols) {
        int tasks = taus.size();
        // A_tᵀ = Q_t·R_t, so τ_t = (s_t·B_t·R_tᵀ)·Q_tᵀ and the concatenation is L·blockdiag(Q_1ᵀ, …, Q_Tᵀ) whose
        // right factor already has orthonormal rows: only L [rows, Σ p_t] needs an SVD, L = U·Σ·Yᵀ, and then
        // V_tᵀ = Y_tᵀ·Q_tᵀ with Y_t the rows of Y for task t. Each QR is cols × r_t, never cols·T × Σ r_t.
        DMatrixRMaj[] q = new DMatrixRMaj[tasks];
        DMatrixRMaj[] block = new DMatrixRMaj[tasks];
        int total = 0;
        for (int t = 0; t < tasks; t++) {
            TaskVector tau = taus.get(t);
            int r = tau.rank();
            DMatrixRMaj at = new DMatrixRMaj(cols, r);
            float[] a = tau.right().data();
            for (int p = 0; p < r; p++) {
                for (int j = 0; j < cols; j++) {
                    at.data[j * r + p] = a[p * cols + j];
                }
            }
            DMatrixRMaj b = new DMatrixRMaj(rows, r);
            float[] bf = tau.left().data();
            for (int i = 0; i < bf.length; i++) {
                b.data[i] = bf[i];
            }
            HouseholderQr qr = HouseholderQr.of(at);
            q[t] = qr.q();
            block[t] = new DMatrixRMaj(rows, qr.size());
            CommonOps_DDRM.multTransB(tau.scale(), b, qr.r(), block[t]);
            total += qr.size();
        }
        DMatrixRMaj left = new DMatrixRMaj(rows, total);
        int at = 0;
        for (int t = 0; t < tasks; t++) {
            CommonOps_DDRM.insert(block[t], left, 0, at);
            at += block[t].numCols;
        }
        LowRankSvd svd = LowRank.of(left, CommonOps_DDRM.identity(total), 1.0).svd();
        int p = svd.rank();
        DMatrixRMaj u = svd.u();
        DMatrixRMaj yt = svd.vt();
        double[] sigma = svd.sigma();
        fixSigns(u, yt);
        List<float[]> coordinates = new java.util.ArrayList<>(tasks);
        at = 0;
        for (int t = 0; t < tasks; t++) {
            int w = block[t].numCols;
            DMatrixRMaj ytBlock = CommonOps_DDRM.extract(yt, 0, p, at, at + w);
            for (int k = 0; k < p; k++) {
                for (int c = 0; c < w; c++) {
                    ytBlock.data[k * w + c] *= sigma[k];
                }
            }
            DMatrixRMaj coords = new DMatrixRMaj(p, cols);
            CommonOps_DDRM.multTransB(ytBlock, q[t], coords);
            float[] c = new float[p * cols];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) coords.data[i];
            }
            coordinates.add(c);
            at += w;
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
