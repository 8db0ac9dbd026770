package dev.concord.merge.ops;

/**
 * Model Breadcrumbs (Davari & Belilovsky, 2023): in each group of n entries (a row, as in the paper, or a whole
 * tensor, as mergekit does), drop the {@code gamma} fraction of largest magnitudes as outliers and keep the next
 * {@code density} fraction; everything smaller is dropped.
 *
 * <p>Counts follow mergekit: target = int(density·n), top = int(gamma·n), bottom = n − target − top, and when
 * bottom would be negative the outlier count shrinks so that target entries remain. Unlike mergekit's slice
 * {@code indices[n_bot:-n_top]}, which is empty when {@code n_top} rounds to 0 and so wipes the tensor out, a
 * zero outlier count here drops no outliers.
 */
public final class Breadcrumbs {
    private Breadcrumbs() {}

    /** How many of the n largest magnitudes are dropped as outliers, and how many below them are kept. */
    public record Counts(long outliers, long kept) {
        /** Entries in the top (outliers + kept) by magnitude survive unless they are in the top outliers. */
        public long keepTop() {
            return outliers + kept;
        }
    }

    public static Counts counts(long n, double density, double gamma) {
        long target = MagnitudeCut.keepCount(density, n);
        long top = MagnitudeCut.keepCount(gamma, n);
        long bottom = n - target - top;
        if (bottom < 0) {
            top += bottom;
        }
        top = Math.max(0, top);
        return new Counts(top, Math.min(n - top, target));
    }

    /** In place on one group (a row): zeroes the outliers and the small entries. */
    public static void applyToGroup(float[] v, int off, int len, double density, double gamma) {
        Counts c = counts(len, density, gamma);
        MagnitudeCut outer = MagnitudeCut.ofTopK(v, off, len, c.keepTop());
        MagnitudeCut outliers = MagnitudeCut.ofTopK(v, off, len, c.outliers());
        apply(outer, outliers, v, off, len, 0);
    }

    /** In place: keeps what {@code keepTop} keeps and {@code outliers} does not. Indices are relative to the group. */
    public static void apply(MagnitudeCut keepTop, MagnitudeCut outliers, float[] v, int off, int len, long firstIndex) {
        for (int j = 0; j < len; j++) {
            float a = Math.abs(v[off + j]);
            long idx = firstIndex + j;
            if (!keepTop.keeps(a, idx) || outliers.keeps(a, idx)) {
                v[off + j] = 0f;
            }
        }
    }
}
