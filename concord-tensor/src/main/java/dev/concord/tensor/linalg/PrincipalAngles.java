package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;

import org.ejml.data.DMatrixRMaj;

/**
 * Subspace comparisons between task vectors: orthonormal bases of the column and row spaces of a low-rank
 * product, the overlap ‖Q_aᵀQ_b‖²_F (the sum of squared cosines of the principal angles, from 0 for orthogonal
 * subspaces to min(k_a, k_b) for nested ones) and the cosines themselves.
 *
 * <p>Bases use numerical rank: directions whose singular value is at most {@link #RANK_TOLERANCE} of the largest
 * are dropped, so that a rank-16 adapter whose factors carry a near-dead direction does not count it.
 */
public final class PrincipalAngles {
    /** Singular values ≤ this fraction of the largest do not span the subspace. */
    public static final double RANK_TOLERANCE = 1e-6;

    private PrincipalAngles() {
    }

    /** Orthonormal basis [rows, k'] of the column space of the product. */
    public static DMatrixRMaj columnBasis(LowRank matrix) {
        return matrix.svd(RANK_TOLERANCE).u();
    }

    /** Orthonormal basis [cols, k'] of the row space of the product (as columns). */
    public static DMatrixRMaj rowBasis(LowRank matrix) {
        return matrix.svd(RANK_TOLERANCE).v();
    }

    /** ‖Q_aᵀQ_b‖²_F for bases with orthonormal columns and the same number of rows. */
    public static double overlap(DMatrixRMaj qa, DMatrixRMaj qb) {
        double s = 0;
        for (double v : crossGram(qa, qb)) {
            s += v * v;
        }
        return s;
    }

    /** cos θ_i, descending: the singular values of Q_aᵀQ_b, clamped to [0, 1] against rounding. */
    public static double[] cosines(DMatrixRMaj qa, DMatrixRMaj qb) {
        double[] g = crossGram(qa, qb);
        double[] sigma = DenseSvd.of(new DMatrixRMaj(qa.numCols, qb.numCols, true, g)).sigma();
        for (int i = 0; i < sigma.length; i++) {
            sigma[i] = Math.min(1.0, sigma[i]);
        }
        return sigma;
    }

    private static double[] crossGram(DMatrixRMaj qa, DMatrixRMaj qb) {
        if (qa.numRows != qb.numRows) {
            throw new InvalidInputException("subspace bases live in different spaces: " + qa.numRows + " vs "
                    + qb.numRows + " rows");
        }
        int d = qa.numRows;
        int ka = qa.numCols;
        int kb = qb.numCols;
        double[] g = new double[ka * kb];
        MatrixKernels.gram(MatrixKernels.transpose(qa.data, d, ka), 0, d, ka,
                MatrixKernels.transpose(qb.data, d, kb), 0, d, kb, d, g, 0, kb);
        return g;
    }
}
