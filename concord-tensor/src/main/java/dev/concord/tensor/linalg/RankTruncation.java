package dev.concord.tensor.linalg;

/**
 * A rank-limited SVD together with how much of the original matrix it keeps. Energies are squared Frobenius
 * norms: {@code totalEnergy} is ‖M‖²_F of the matrix that was approximated (exact, not estimated) and
 * {@code residualEnergy} is ‖M − M_R‖²_F, which for an SVD-based M_R equals totalEnergy − Σ kept σ².
 *
 * @param svd            the kept factors, U_R·diag(σ_R)·V_Rᵀ
 * @param totalEnergy    ‖M‖²_F
 * @param residualEnergy ‖M − M_R‖²_F
 */
public record RankTruncation(LowRankSvd svd, double totalEnergy, double residualEnergy) {
    public RankTruncation {
        if (!(totalEnergy >= 0) || !(residualEnergy >= 0)) {
            throw new IllegalArgumentException("energies must be non-negative: total " + totalEnergy
                    + ", residual " + residualEnergy);
        }
    }

    /** Fraction of ‖M‖²_F kept, in [0, 1]; 1 for the zero matrix (nothing could be lost). */
    public double retainedEnergy() {
        return totalEnergy == 0 ? 1.0 : Math.max(0.0, 1.0 - residualEnergy / totalEnergy);
    }

    /** ‖M − M_R‖_F. */
    public double residualNorm() {
        return Math.sqrt(residualEnergy);
    }

    /** ‖M − M_R‖_F / ‖M‖_F; 0 for the zero matrix. */
    public double relativeResidual() {
        return totalEnergy == 0 ? 0.0 : Math.sqrt(residualEnergy / totalEnergy);
    }
}
