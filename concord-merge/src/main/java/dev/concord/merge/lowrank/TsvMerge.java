package dev.concord.merge.lowrank;

import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.linalg.DenseSvd;
import dev.concord.tensor.linalg.LowRank;
import dev.concord.tensor.linalg.LowRankSvd;
import dev.concord.tensor.linalg.Polar;
import dev.concord.tensor.linalg.SharedBasis;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * TSV-M (Gargiulo et al., "Task Singular Vectors: Reducing Task Interference in Model Merging", CVPR 2025) on
 * factored task vectors, for one module.
 *
 * <p>Each task vector τ_t (already weighted) is decomposed exactly from its factors, τ_t = U_t Σ_t V_tᵀ, and its
 * top k_t triplets are kept. The kept vectors are stacked, U = [U_1 … U_T], V = [V_1 … V_T], Σ = blockdiag(Σ_t),
 * and the interference between tasks is removed by replacing U and V with their polar factors (the nearest
 * matrices with orthonormal columns, P·Qᵀ from U = P·D·Qᵀ): merged = polar(U) · Σ · polar(V)ᵀ. The rank is
 * Σ k_t; nothing is densified.
 *
 * <p>How it is computed: all tasks are first written in one pair of orthonormal bases ({@link SharedBasis}: one
 * Householder QR of the stacked left factors, one of the stacked right factors), τ_t = Q_b·C_t·Q_aᵀ with C_t
 * of size at most Σr × Σr. Everything TSV-M does then happens in those coordinates — the SVD of each C_t, the
 * stacking, the polar factors (QR and a small SVD, {@link Polar#partialIsometry}) — because
 * polar(Q_b·Ũ) = Q_b·polar(Ũ). Only the final factors go back to model size, one multiply by each Q. No Gram
 * matrix of a stack is formed, so the polar factors keep full precision even for nearly dependent tasks.
 *
 * <p>How many triplets: the paper's code keeps k = ⌊min(rows, cols) / T⌋ per task, its share of the dimension,
 * so that the stack fits in min(rows, cols) columns. A LoRA task vector has rank r ≪ that share, so Concord keeps
 * every one of a task's (numerically non-zero) triplets, capped by that share — the paper's rule wherever the
 * two differ — and by {@code --tsv-keep} when given. A share of 0 (more tasks than dimensions) is raised to 1.
 */
final class TsvMerge {
    /**
     * Relative size below which a singular value of a stack is a direction spanned twice (e.g. the same adapter
     * given twice); those get no polar direction of their own (see {@link Polar#partialIsometry}). 10⁻⁶ on σ is
     * 10⁻¹² on the Gram eigenvalues that earlier versions thresholded, so the two agree on what is dependent.
     */
    static final double RANK_TOLERANCE = 1e-6;

    private TsvMerge() {}

    /** Triplets kept per task by default: ⌊min(rows, cols) / tasks⌋, at least 1. */
    static int share(int rows, int cols, int tasks) {
        return Math.max(1, Math.min(rows, cols) / Math.max(1, tasks));
    }

    /**
     * @param taus   the weighted task vectors present on the module, in input order
     * @param keep   --tsv-keep, or 0 for every triplet of each task (within its share)
     * @param module the module's name, for errors
     * @return the merged update as balanced factors, B = polar(U)·diag(√σ) and A = diag(√σ)·polar(V)ᵀ; rank 0
     *     when every task vector is zero
     */
    static LowRank merge(List<LowRank> taus, int rows, int cols, int keep, String module) {
        if (taus.isEmpty()) {
            return LowRank.zero(rows, cols);
        }
        SharedBasis basis = SharedBasis.of(taus);
        List<LowRankSvd> svds = new ArrayList<>();
        for (int t = 0; t < basis.size(); t++) {
            LowRankSvd s = basis.core(t).svd();
            if (s.rank() > 0) {
                svds.add(s);
            }
        }
        int share = share(rows, cols, svds.size());
        int cap = keep > 0 ? Math.min(keep, share) : share;
        int total = 0;
        for (LowRankSvd s : svds) {
            total += Math.min(s.rank(), cap);
        }
        if (total > DenseSvd.MAX_SMALL_DIMENSION) {
            throw new UnsupportedFeatureException("tsv would keep " + total + " singular triplets on module " + module
                    + ", more than the " + DenseSvd.MAX_SMALL_DIMENSION + " it orthogonalises at once; lower --tsv-keep");
        }
        if (total == 0) {
            return LowRank.zero(rows, cols);
        }
        int pb = basis.leftDimension();
        int pa = basis.rightDimension();
        // Ũ [p_b, K] and Ṽᵀ [K, p_a]: the kept singular vectors of every task, in the bases' coordinates
        DMatrixRMaj u = new DMatrixRMaj(pb, total);
        DMatrixRMaj vt = new DMatrixRMaj(total, pa);
        double[] sigma = new double[total];
        int at = 0;
        for (LowRankSvd s : svds) {
            int k = Math.min(s.rank(), cap);
            DMatrixRMaj su = s.u();
            DMatrixRMaj svt = s.vt();
            for (int i = 0; i < pb; i++) {
                System.arraycopy(su.data, i * su.numCols, u.data, i * total + at, k);
            }
            System.arraycopy(svt.data, 0, vt.data, at * pa, k * pa);
            for (int p = 0; p < k; p++) {
                sigma[at + p] = s.sigma(p);
            }
            at += k;
        }
        DMatrixRMaj pu = Polar.partialIsometry(u, RANK_TOLERANCE);
        DMatrixRMaj pvt = Polar.partialIsometry(vt, RANK_TOLERANCE);
        for (int p = 0; p < total; p++) {
            double root = Math.sqrt(sigma[p]);
            for (int i = 0; i < pb; i++) {
                pu.data[i * total + p] *= root; // columns of polar(Ũ)·Σ^½
            }
            for (int j = 0; j < pa; j++) {
                pvt.data[p * pa + j] *= root; // rows of Σ^½·polar(Ṽ)ᵀ
            }
        }
        return basis.expand(pu, pvt);
    }
}
