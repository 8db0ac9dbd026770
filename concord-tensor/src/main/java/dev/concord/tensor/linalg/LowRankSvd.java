package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;

import java.util.Arrays;

import org.ejml.data.DMatrixRMaj;

/**
 * A thin SVD U_s·diag(σ)·V_s of a [rows, cols] matrix of (numerical) rank k: U_s [rows, k] and V_s [k, cols]
 * have orthonormal columns / rows, σ is positive and descending. Produced by {@link LowRank#svd()} and
 * {@link RandomizedSvd}.
 *
 * <p>Singular vectors are stored as k contiguous vectors (columns of U_s, rows of V_s) because that is how
 * every consumer walks them (projections, Gram products, writing a LoRA factor).
 */
public final class LowRankSvd {
    private final int rows;
    private final int cols;
    /** k left singular vectors of length rows, one after another. */
    private final double[] left;
    private final double[] sigma;
    /** k right singular vectors of length cols, one after another. */
    private final double[] right;

    LowRankSvd(int rows, int cols, double[] left, double[] sigma, double[] right) {
        this.rows = rows;
        this.cols = cols;
        this.left = left;
        this.sigma = sigma;
        this.right = right;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The number k of singular triplets kept. */
    public int rank() {
        return sigma.length;
    }

    /** σ, descending (a copy). */
    public double[] sigma() {
        return sigma.clone();
    }

    public double sigma(int i) {
        return sigma[i];
    }

    /** U_s [rows, k], orthonormal columns. */
    public DMatrixRMaj u() {
        return new DMatrixRMaj(rows, rank(), true, MatrixKernels.transpose(left, rank(), rows));
    }

    /** V_s [k, cols], orthonormal rows (the right singular vectors as rows). */
    public DMatrixRMaj vt() {
        return new DMatrixRMaj(rank(), cols, true, right.clone());
    }

    /** V_sᵀ [cols, k], orthonormal columns: a basis of the row space as columns. */
    public DMatrixRMaj v() {
        return new DMatrixRMaj(cols, rank(), true, MatrixKernels.transpose(right, rank(), cols));
    }

    /** Left singular vectors one after another (shared, not copied), for this package. */
    double[] leftVectors() {
        return left;
    }

    /** Right singular vectors one after another (shared, not copied), for this package. */
    double[] rightVectors() {
        return right;
    }

    /** Σσ² = ‖U_s·diag(σ)·V_s‖²_F. */
    public double totalEnergy() {
        return energyOfRange(0, sigma.length);
    }

    public double frobeniusNorm() {
        return Math.sqrt(totalEnergy());
    }

    /**
     * Keeps the top {@code maxRank} triplets (all of them if the rank is already lower). By Eckart–Young this is
     * the best approximation of that rank; the residual energy is the sum of the dropped σ².
     */
    public RankTruncation truncate(int maxRank) {
        if (maxRank < 0) {
            throw new InvalidInputException("truncation rank must be >= 0, got " + maxRank);
        }
        int kept = Math.min(maxRank, rank());
        LowRankSvd head = new LowRankSvd(rows, cols,
                Arrays.copyOf(left, kept * rows), Arrays.copyOf(sigma, kept), Arrays.copyOf(right, kept * cols));
        return new RankTruncation(head, totalEnergy(), energyOfRange(kept, sigma.length));
    }

    /**
     * As factors of a {@link LowRank} with the singular values split evenly, B = U_s·diag(√σ), A = diag(√σ)·V_s:
     * both factors then have the same scale, which keeps them representable when stored as fp16/bf16.
     */
    public LowRank toLowRank() {
        int k = rank();
        double[] b = left.clone();
        double[] a = right.clone();
        for (int t = 0; t < k; t++) {
            double root = Math.sqrt(sigma[t]);
            for (int i = 0; i < rows; i++) {
                b[t * rows + i] *= root;
            }
            for (int j = 0; j < cols; j++) {
                a[t * cols + j] *= root;
            }
        }
        return new LowRank(rows, cols, k, b, a, 1.0);
    }

    private double energyOfRange(int from, int to) {
        // Smallest first so that the small terms are not swallowed by the large ones.
        double s = 0;
        for (int i = to - 1; i >= from; i--) {
            s += sigma[i] * sigma[i];
        }
        return s;
    }
}
