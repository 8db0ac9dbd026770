package dev.concord.analysis;

import dev.concord.adapter.TaskVector;
import dev.concord.tensor.linalg.LowRank;
import dev.concord.tensor.linalg.LowRankSvd;
import dev.concord.tensor.linalg.PrincipalAngles;
import org.ejml.data.DMatrixRMaj;

/**
 * One adapter's update on one module in singular form, {@code tau = U·diag(σ)·Vᵀ}, computed from the LoRA factors
 * without forming tau (QR of both factors and an r×r SVD, {@link LowRank#svd()}). Everything the analysis says
 * about a pair of adapters follows from these bases and the cross products of bases: the SVD is invariant under
 * the LoRA gauge {@code B → BG, A → G⁻¹A}, so every metric is too.
 *
 * @param sigma singular values, descending, above the rounding floor of the factors (so that an exact zero
 *     direction does not count, while everything the product really holds does)
 * @param u left singular vectors, row-major [rows, k]
 * @param v right singular vectors, row-major [cols, k]
 * @param numericalRank singular values above {@link PrincipalAngles#RANK_TOLERANCE} of the largest: the dimension of
 *     the column and row spaces used by subspace overlap
 */
public record TaskBasis(int rows, int cols, double[] sigma, double[] u, double[] v, int numericalRank) {
    /** Share of ‖tau‖² that the dominant directions must hold for the alignment ratio (see {@link #energyRank}). */
    public static final double ALIGNMENT_ENERGY = 0.95;

    public static TaskBasis of(TaskVector tau) {
        LowRankSvd svd = LowRank.of(tau.left(), tau.right(), tau.scale()).svd();
        double[] sigma = svd.sigma();
        DMatrixRMaj u = svd.u();
        DMatrixRMaj v = svd.v();
        return new TaskBasis(tau.rows(), tau.cols(), sigma, u.data, v.data, numericalRank(sigma));
    }

    /** Singular values above {@link PrincipalAngles#RANK_TOLERANCE}·σ_max. */
    static int numericalRank(double[] sigma) {
        if (sigma.length == 0) {
            return 0;
        }
        double floor = PrincipalAngles.RANK_TOLERANCE * sigma[0];
        int r = 0;
        while (r < sigma.length && sigma[r] > floor) {
            r++;
        }
        return r;
    }

    /** Number of kept singular triplets. */
    public int rank() {
        return sigma.length;
    }

    /** ‖tau‖²_F = Σσ². */
    public double energy() {
        double s = 0;
        for (int i = sigma.length - 1; i >= 0; i--) {
            s += sigma[i] * sigma[i];
        }
        return s;
    }

    /**
     * The fewest leading directions that hold {@link #ALIGNMENT_ENERGY} of ‖tau‖²: the "dominant subspace" used by
     * the alignment ratio, in the way Iso-C keeps the top directions of a merged update.
     */
    public int energyRank() {
        double total = energy();
        if (total == 0) {
            return 0;
        }
        double s = 0;
        for (int i = 0; i < sigma.length; i++) {
            s += sigma[i] * sigma[i];
            if (s >= ALIGNMENT_ENERGY * total) {
                return i + 1;
            }
        }
        return sigma.length;
    }
}
