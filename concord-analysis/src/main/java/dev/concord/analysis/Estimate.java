package dev.concord.analysis;

/**
 * A number the analysis reports, with a 95% confidence interval when it was estimated from samples ({@code lo} and
 * {@code hi} are NaN when it is exact). {@code value} is NaN when undefined (e.g. a conflict rate over no
 * overlapping positions).
 */
public record Estimate(double value, double lo, double hi) {
    public static final Estimate UNDEFINED = new Estimate(Double.NaN, Double.NaN, Double.NaN);

    public static Estimate exact(double value) {
        return new Estimate(value, Double.NaN, Double.NaN);
    }

    public boolean hasInterval() {
        return !Double.isNaN(lo) && !Double.isNaN(hi);
    }

    public boolean defined() {
        return !Double.isNaN(value);
    }
}
