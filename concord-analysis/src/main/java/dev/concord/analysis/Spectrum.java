package dev.concord.analysis;

/**
 * Summary numbers of one singular-value spectrum σ₁ ≥ σ₂ ≥ … of a task vector. With p_i = σ_i² / Σσ²:
 * <ul>
 *   <li>effective rank = exp(−Σ p_i ln p_i) (Roy &amp; Vetterli 2007): 1 for a rank-one update, r when r directions
 *       carry equal energy;</li>
 *   <li>stable rank = Σσ² / σ₁² = ‖tau‖²_F / ‖tau‖²₂, a rank that small perturbations cannot change much;</li>
 *   <li>top-1 energy share = p₁;</li>
 *   <li>Frobenius norm = sqrt(Σσ²).</li>
 * </ul>
 * A zero spectrum (an adapter whose B is still zero) has norm 0 and the ratios undefined (NaN).
 */
public record Spectrum(double frobeniusNorm, double effectiveRank, double stableRank, double top1EnergyShare) {

    public static Spectrum of(double[] sigma) {
        double total = 0;
        for (int i = sigma.length - 1; i >= 0; i--) {
            total += sigma[i] * sigma[i];
        }
        if (total == 0 || sigma.length == 0) {
            return new Spectrum(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double entropy = 0;
        for (double s : sigma) {
            double p = s * s / total;
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        double top = sigma[0] * sigma[0];
        return new Spectrum(Math.sqrt(total), Math.exp(entropy), total / top, top / total);
    }
}
