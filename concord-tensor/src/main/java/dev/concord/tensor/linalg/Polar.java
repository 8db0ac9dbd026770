package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The orthogonal factor of the polar decomposition M = P·H, i.e. P = U·Vᵀ from M = U·Σ·Vᵀ: the matrix with
 * orthonormal columns (or rows, for a wide M) nearest to M in Frobenius norm. TSV-Merge uses it to orthogonalise
 * the stacked singular vectors of several task vectors; orthogonal Procrustes is the same operation on
 * {@code to·fromᵀ}.
 *
 * <p>A tall M [m, n] is first reduced by Householder QR, M = Q·R, so that only the n×n R is decomposed densely:
 * P = Q·(X·Yᵀ) for R = X·Σ·Yᵀ. Cost O(m·n²); n must stay a "small" dimension ({@link DenseSvd#MAX_SMALL_DIMENSION}).
 * For rank-deficient M the factor is not unique; this returns one with exactly orthonormal columns.
 */
public final class Polar {
    private Polar() {
    }

    /** P = U·Vᵀ for M = U·Σ·Vᵀ, same shape as M: orthonormal columns if rows ≥ cols, orthonormal rows otherwise. */
    public static DMatrixRMaj orthogonalFactor(DMatrixRMaj matrix) {
        FiniteValues.require(matrix.data, matrix.numRows, matrix.numCols, "matrix to orthogonalise");
        if (matrix.numRows < matrix.numCols) {
            DMatrixRMaj transposed = new DMatrixRMaj(matrix.numCols, matrix.numRows, true,
                    MatrixKernels.transpose(matrix.data, matrix.numRows, matrix.numCols));
            DMatrixRMaj p = ofTall(transposed, -1);
            return new DMatrixRMaj(p.numCols, p.numRows, true, MatrixKernels.transpose(p.data, p.numRows, p.numCols));
        }
        return ofTall(matrix, -1);
    }

    /**
     * The polar factor restricted to M's numerical range: Σ u_j·v_jᵀ over the singular triplets with
     * σ_j &gt; {@code relativeTolerance}·σ_max (a partial isometry, same shape as M). For M of full rank this is
     * {@link #orthogonalFactor}; for rank-deficient M it is the one polar factor that needs no arbitrary completion
     * (for M = [U U] with orthonormal U it is [U U]/√2, where a full factor would add directions M does not have).
     *
     * @param relativeTolerance in [0, 1): singular values at or below it, relative to the largest, count as zero
     */
    public static DMatrixRMaj partialIsometry(DMatrixRMaj matrix, double relativeTolerance) {
        if (!(relativeTolerance >= 0 && relativeTolerance < 1)) {
            throw new InvalidInputException("relative tolerance must be in [0, 1), got " + relativeTolerance);
        }
        FiniteValues.require(matrix.data, matrix.numRows, matrix.numCols, "matrix to orthogonalise");
        if (matrix.numRows < matrix.numCols) {
            DMatrixRMaj transposed = new DMatrixRMaj(matrix.numCols, matrix.numRows, true,
                    MatrixKernels.transpose(matrix.data, matrix.numRows, matrix.numCols));
            DMatrixRMaj p = ofTall(transposed, relativeTolerance);
            return new DMatrixRMaj(p.numCols, p.numRows, true, MatrixKernels.transpose(p.data, p.numRows, p.numCols));
        }
        return ofTall(matrix, relativeTolerance);
    }

    /**
     * The orthogonal Ω [d, d] minimising ‖Ω·from − to‖_F (orthogonal Procrustes), for from, to [d, n]:
     * Ω = polar factor of to·fromᵀ.
     */
    public static DMatrixRMaj procrustesRotation(DMatrixRMaj from, DMatrixRMaj to) {
        if (from.numRows != to.numRows || from.numCols != to.numCols) {
            throw new InvalidInputException("Procrustes needs matrices of one shape, got [" + from.numRows + ", "
                    + from.numCols + "] and [" + to.numRows + ", " + to.numCols + "]");
        }
        FiniteValues.require(from.data, from.numRows, from.numCols, "Procrustes source");
        FiniteValues.require(to.data, to.numRows, to.numCols, "Procrustes target");
        DMatrixRMaj cross = new DMatrixRMaj(to.numRows, from.numRows);
        CommonOps_DDRM.multTransB(to, from, cross);
        return orthogonalFactor(cross);
    }

    /**
     * P = Q·(X·Yᵀ) for M = Q·R, R = X·Σ·Yᵀ; a negative tolerance keeps every triplet (the full factor). A matrix
     * less than twice as tall as wide goes to the SVD directly: the QR would not make that SVD smaller.
     */
    private static DMatrixRMaj ofTall(DMatrixRMaj matrix, double relativeTolerance) {
        int m = matrix.numRows;
        int n = matrix.numCols;
        if (n == 0) {
            return new DMatrixRMaj(m, 0);
        }
        if (m < 2 * n) {
            DenseSvd svd = DenseSvd.of(matrix);
            return rotation(svd, kept(svd, relativeTolerance), m, n);
        }
        HouseholderQr qr = HouseholderQr.ofColumns(MatrixKernels.transpose(matrix.data, m, n), m, n);
        DenseSvd small = DenseSvd.of(new DMatrixRMaj(n, n, true, qr.rData().clone()));
        DMatrixRMaj rotation = rotation(small, kept(small, relativeTolerance), n, n);
        double[] product = qr.applyQToColumns(MatrixKernels.transpose(rotation.data, n, n), n);
        return new DMatrixRMaj(m, n, true, MatrixKernels.transpose(product, n, m));
    }

    /** How many leading triplets are above the tolerance (all of them for a negative one). */
    private static int kept(DenseSvd svd, double relativeTolerance) {
        if (relativeTolerance < 0) {
            return svd.size();
        }
        double threshold = relativeTolerance * svd.sigma(0);
        int kept = 0;
        while (kept < svd.size() && svd.sigma(kept) > threshold) {
            kept++;
        }
        return kept;
    }

    /** Σ_j u_j·v_jᵀ over the first {@code kept} triplets, [rows, n]. */
    private static DMatrixRMaj rotation(DenseSvd svd, int kept, int rows, int n) {
        DMatrixRMaj u = svd.u();
        DMatrixRMaj vt = svd.vt();
        double[] out = new double[rows * n];
        MatrixKernels.mulAdd(u.data, 0, u.numCols, 1, vt.data, 0, n, out, 0, n, rows, kept, n);
        return new DMatrixRMaj(rows, n, true, out);
    }
}
