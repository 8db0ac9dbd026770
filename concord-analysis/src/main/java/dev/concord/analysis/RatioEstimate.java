package dev.concord.analysis;

/**
 * A ratio Y / X of two sums over all positions of several modules, built stratum by stratum (one stratum per
 * module). An exact stratum adds its sums as they are. A sampled stratum of N positions drawn uniformly with
 * replacement from numel adds its sums times w = numel / N and a variance term, so that the result is the
 * combined ratio estimator of stratified sampling with its delta-method variance:
 * <pre>
 *   R = Σ_h w_h·Sy_h / Σ_h w_h·Sx_h
 *   Var(R) ≈ Σ_h w_h²·N_h·s²_h(R) / X²,   s²_h(R) = sample variance of y − R·x in stratum h
 * </pre>
 * and the 95% interval R ± 1.96·sqrt(Var(R)). The variance of y − R·x is a quadratic in R, so each stratum only
 * needs Sy, Sx, Syy, Sxy, Sxx, accumulated once.
 *
 * <p>With a known denominator (a retention, whose ‖tau‖² is exact) use {@link #knownDenominator}: then only Y is
 * estimated and Var(R) = Var(Ŷ) / X².
 */
public final class RatioEstimate {
    private static final double Z95 = 1.959963984540054;
    private double y;
    private double x;
    private double cyy;
    private double cxy;
    private double cxx;
    private boolean sampled;

    /** Adds an exact stratum (every position summed). */
    public RatioEstimate addExact(double sy, double sx) {
        y += sy;
        x += sx;
        return this;
    }

    /**
     * Adds a sampled stratum of {@code n} positions standing for {@code numel} positions.
     */
    public RatioEstimate addSampled(long numel, long n, double sy, double sx, double syy, double sxy, double sxx) {
        if (n <= 0) {
            return this;
        }
        double w = (double) numel / n;
        y += w * sy;
        x += w * sx;
        sampled = true;
        if (n > 1) {
            double f = w * w * n / (n - 1);
            cyy += f * (syy - sy * sy / n);
            cxy += f * (sxy - sy * sx / n);
            cxx += f * (sxx - sx * sx / n);
        }
        return this;
    }

    /** Adds a stratum, exact or sampled as {@code exact} says. */
    public RatioEstimate add(boolean exact, long numel, long n, double sy, double sx, double syy, double sxy,
            double sxx) {
        return exact ? addExact(sy, sx) : addSampled(numel, n, sy, sx, syy, sxy, sxx);
    }

    public double numerator() {
        return y;
    }

    public double denominator() {
        return x;
    }

    /** Y / X with its interval clamped to [lo, hi] (use ±infinity for none); undefined when X is 0. */
    public Estimate ratio(double min, double max) {
        if (x == 0) {
            return Estimate.UNDEFINED;
        }
        double r = y / x;
        if (!sampled) {
            return Estimate.exact(r);
        }
        double var = Math.max(0, cyy - 2 * r * cxy + r * r * cxx) / (x * x);
        double half = Z95 * Math.sqrt(var);
        return new Estimate(r, Math.max(min, r - half), Math.min(max, r + half));
    }

    /** Y / {@code denominator} for an exactly known denominator; the interval reflects the sampling of Y only. */
    public Estimate knownDenominator(double denominator) {
        if (denominator == 0) {
            return Estimate.UNDEFINED;
        }
        double r = y / denominator;
        if (!sampled) {
            return Estimate.exact(r);
        }
        double half = Z95 * Math.sqrt(Math.max(0, cyy)) / Math.abs(denominator);
        return new Estimate(r, r - half, r + half);
    }
}
