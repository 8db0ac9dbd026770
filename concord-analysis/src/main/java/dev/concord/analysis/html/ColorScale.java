package dev.concord.analysis.html;

import java.util.Locale;

/**
 * Colours for values: a sequential scale (white → dark red) for rates and overlaps in [0, 1], and a diverging one
 * (blue ← white → red) for cosines in [−1, 1]. Undefined values are grey. Interpolated in sRGB between a few stops,
 * which is plenty for a heatmap read by eye and keeps the report free of any colour library.
 */
final class ColorScale {
    private static final int[][] SEQUENTIAL = {{255, 255, 255}, {252, 187, 161}, {239, 59, 44}, {103, 0, 13}};
    private static final int[][] DIVERGING = {{5, 48, 97}, {67, 147, 195}, {247, 247, 247}, {214, 96, 77},
        {103, 0, 31}};
    static final String UNDEFINED = "#d9d9d9";

    private ColorScale() {}

    /** v in [0, 1]. */
    static String sequential(double v) {
        return Double.isNaN(v) ? UNDEFINED : interpolate(SEQUENTIAL, clamp(v, 0, 1));
    }

    /** v in [−1, 1]. */
    static String diverging(double v) {
        return Double.isNaN(v) ? UNDEFINED : interpolate(DIVERGING, (clamp(v, -1, 1) + 1) / 2);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static String interpolate(int[][] stops, double t) {
        double x = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(x));
        double f = x - i;
        int[] a = stops[i];
        int[] b = stops[i + 1];
        return String.format(Locale.ROOT, "#%02x%02x%02x", mix(a[0], b[0], f), mix(a[1], b[1], f),
                mix(a[2], b[2], f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    /** A palette of distinguishable line colours (Tableau 10), cycled. */
    static String series(int i) {
        String[] p = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac"};
        return p[Math.floorMod(i, p.length)];
    }
}
