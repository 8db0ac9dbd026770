package dev.concord.merge.elementwise;

import dev.concord.merge.ops.Breadcrumbs;
import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.TopMagnitudeSelection;

/** Model Breadcrumbs' mask (see {@link Breadcrumbs}) per row or per tensor. */
public final class BreadcrumbsBand implements Sparsifier {
    private final double density;
    private final double gamma;
    private final BandScope scope;
    private MagnitudeCut keepTop;
    private MagnitudeCut outliers;

    public BreadcrumbsBand(double density, double gamma, BandScope scope) {
        this.density = density;
        this.gamma = gamma;
        this.scope = scope;
    }

    @Override
    public void prepare(TaskScan scan) {
        if (scope == BandScope.TENSOR) {
            long n = scan.numel();
            Breadcrumbs.Counts c = Breadcrumbs.counts(n, density, gamma);
            keepTop = new TopMagnitudeSelection().select(scan, n, c.keepTop(), scan.sampler());
            outliers = new TopMagnitudeSelection().select(scan, n, c.outliers(), scan.sampler());
        }
    }

    @Override
    public void apply(float[] block, int rowStart, int rowCount, int cols) {
        if (scope == BandScope.TENSOR) {
            Breadcrumbs.apply(keepTop, outliers, block, 0, rowCount * cols, (long) rowStart * cols);
            return;
        }
        for (int i = 0; i < rowCount; i++) {
            Breadcrumbs.applyToGroup(block, i * cols, cols, density, gamma);
        }
    }
}
