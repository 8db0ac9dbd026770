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
            DMatrixRMaj p = orthogonalFactorOfTall(transposed);
            return new DMatrixRMaj(p.numCols, p.numRows, true, MatrixKernels.transpose(p.data, p.numRows, p.numCols));
        }
        return orthogonalFactorOfTall(matrix);
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

    private static DMatrixRMaj orthogonalFactorOfTall(DMatrixRMaj matrix) {
        int m = matrix.numRows;
        int n = matrix.numCols;
        if (n == 0) {
            return new DMatrixRMaj(m, 0);
        }
        HouseholderQr qr = HouseholderQr.ofColumns(MatrixKernels.transpose(matrix.data, m, n), m, n);
        DenseSvd small = DenseSvd.of(new DMatrixRMaj(n, n, true, qr.rData().clone()));
        DMatrixRMaj rotation = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(small.u(), small.vt(), rotation);
        double[] columns = qr.applyQToColumns(MatrixKernels.transpose(rotation.data, n, n), n);
        return new DMatrixRMaj(m, n, true, MatrixKernels.transpose(columns, n, m));
    }
}
