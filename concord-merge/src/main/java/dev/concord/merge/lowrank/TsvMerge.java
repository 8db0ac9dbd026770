package dev.concord.merge.lowrank;

import dev.concord.error.ConcordException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.linalg.DenseSvd;
import dev.concord.tensor.linalg.LowRank;
import dev.concord.tensor.linalg.LowRankSvd;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * TSV-M (Gargiulo et al., "Task Singular Vectors: Reducing Task Interference in Model Merging", CVPR 2025) on
 * factored task vectors, for one module.
 *
 * <p>Each task vector τ_t (already weighted) is decomposed exactly from its factors, τ_t = U_t Σ_t V_tᵀ, and its
 * top k_t triplets are kept. The kept vectors are stacked, U = [U_1 … U_T], V = [V_1 … V_T], Σ = blockdiag(Σ_t),
 * and the interference between tasks is removed by replacing U and V with their polar factors (the nearest
 * matrices with orthonormal columns, P·Qᵀ from U = P·D·Qᵀ): merged = polar(U) · Σ · polar(V)ᵀ. The rank is
 * Σ k_t; nothing is densified. The polar factor is computed as U·(UᵀU)^(-1/2), which is P·Qᵀ whenever U has
 * full column rank (see {@link #inverseSquareRoot} for when it does not).
 *
 * <p>How many triplets: the paper's code keeps k = ⌊min(rows, cols) / T⌋ per task, its share of the dimension,
 * so that the stack fits in min(rows, cols) columns. A LoRA task vector has rank r ≪ that share, so Concord keeps
 * every one of a task's (numerically non-zero) triplets, capped by that share — the paper's rule wherever the
 * two differ — and by {@code --tsv-keep} when given. A share of 0 (more tasks than dimensions) is raised to 1.
 */
final class TsvMerge {
    /** Relative size below which an eigenvalue of a stack's Gram matrix is a direction spanned twice. */
    static final double RANK_TOLERANCE = 1e-12;

    private TsvMerge() {}

    /**
     * The merged update as balanced factors.
     *
     * @param left  [rows, K] = polar(U)·diag(√σ)
     * @param right [K, cols] = diag(√σ)·polar(V)ᵀ
     */
    record Factors(DMatrixRMaj left, DMatrixRMaj right) {}

    /** Triplets kept per task by default: ⌊min(rows, cols) / tasks⌋, at least 1. */
    static int share(int rows, int cols, int tasks) {
        return Math.max(1, Math.min(rows, cols) / Math.max(1, tasks));
    }

    /**
     * @param taus   the weighted task vectors present on the module, in input order
     * @param keep   --tsv-keep, or 0 for every triplet of each task (within its share)
     * @param module the module's name, for errors
     * @return the factors, of rank 0 when every task vector is zero
     */
    static Factors merge(List<LowRank> taus, int rows, int cols, int keep, String module) {
        List<LowRankSvd> svds = new ArrayList<>();
        for (LowRank t : taus) {
            LowRankSvd s = t.svd();
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
        DMatrixRMaj u = new DMatrixRMaj(rows, total);
        DMatrixRMaj vt = new DMatrixRMaj(total, cols);
        double[] sigma = new double[total];
        int at = 0;
        for (LowRankSvd s : svds) {
            int k = Math.min(s.rank(), cap);
            DMatrixRMaj su = s.u();
            DMatrixRMaj svt = s.vt();
            for (int i = 0; i < rows; i++) {
                System.arraycopy(su.data, i * su.numCols, u.data, i * total + at, k);
            }
            System.arraycopy(svt.data, 0, vt.data, at * cols, k * cols);
            for (int p = 0; p < k; p++) {
                sigma[at + p] = s.sigma(p);
            }
            at += k;
        }
        if (total == 0) {
            return new Factors(u, vt);
        }
        // polar(U) = U·(UᵀU)^(-1/2) and polar(V)ᵀ = (VᵀV)^(-1/2)·Vᵀ, so the merged update is
        // U·[(UᵀU)^(-1/2)·Σ^½] · [Σ^½·(VᵀV)^(-1/2)]·Vᵀ: two K×K Gram matrices, two K×K eigendecompositions
        // and two multiplies by a K×K matrix, instead of a QR and an SVD of each tall stack.
        DMatrixRMaj mu = inverseSquareRoot(StackProducts.columnGram(u), module);
        DMatrixRMaj mv = inverseSquareRoot(StackProducts.rowGram(vt), module);
        for (int p = 0; p < total; p++) {
            double root = Math.sqrt(sigma[p]);
            for (int q = 0; q < total; q++) {
                mu.data[q * total + p] *= root; // columns of (UᵀU)^(-1/2)·Σ^½
                mv.data[p * total + q] *= root; // rows of Σ^½·(VᵀV)^(-1/2)
            }
        }
        return new Factors(StackProducts.times(u, mu), StackProducts.times(mv, vt));
    }

    /**
     * G^(-1/2) of a Gram matrix G = XᵀX through its eigendecomposition, so that X·G^(-1/2) is the polar factor of X.
     * Eigenvalues ≤ 10⁻¹²·λ_max (directions that the stack spans twice, e.g. the same adapter given twice) are
     * treated as 0 and get 0 rather than an enormous 1/√λ: X·G^(+1/2) is then the partial isometry on X's range,
     * the one polar factor that does not depend on an arbitrary completion. Merging an adapter with itself this way
     * gives the adapter back.
     */
    static DMatrixRMaj inverseSquareRoot(DMatrixRMaj g, String module) {
        int n = g.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(g.copy())) {
            throw new ConcordException("tsv: eigendecomposition of a " + n + "x" + n + " Gram matrix did not converge"
                    + " on module " + module);
        }
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, eig.getEigenvalue(i).real);
        }
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            double lambda = eig.getEigenvalue(i).real;
            if (!(lambda > RANK_TOLERANCE * max)) {
                continue;
            }
            double f = 1 / Math.sqrt(lambda);
            DMatrixRMaj v = eig.getEigenVector(i);
            for (int a = 0; a < n; a++) {
                double fa = f * v.data[a];
                for (int b = 0; b < n; b++) {
                    out.data[a * n + b] += fa * v.data[b];
                }
            }
        }
        return out;
    }
}
