package dev.concord.analysis.html;

/** Round tick steps for linear axes: 1, 2, 2.5 or 5 times a power of ten, about {@code count} ticks per range. */
final class Ticks {
    private Ticks() {}

    static double step(double range, int count) {
        if (!(range > 0)) {
            return 1;
        }
        double raw = range / count;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
