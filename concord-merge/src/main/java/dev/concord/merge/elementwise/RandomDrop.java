package dev.concord.merge.elementwise;

import dev.concord.merge.ops.DareMask;
import dev.concord.merge.ops.L1Rescale;
import dev.concord.merge.ops.MaskRandom;

/**
 * DARE's drop (and DAREx-q's): keep each entry with probability density, by a counter-based draw keyed by
 * (seed, module, adapter, element); survivors are scaled by 1/density, 1/q, the L1 factor, or not at all.
 */
public final class RandomDrop implements Sparsifier {
    private final MaskRandom rng;
    private final double density;
    private final Rescale rescale;
    private final double q;
    private double scale;

    /**
     * @param q DAREx's rescale denominator (scale 1/q) when positive; otherwise {@code rescale} decides
     */
    public RandomDrop(MaskRandom rng, double density, Rescale rescale, double q) {
        this.rng = rng;
        this.density = density;
        this.rescale = rescale;
        this.q = q;
        this.scale = q > 0 ? 1.0 / q : switch (rescale) {
            case INVERSE -> 1.0 / density;
            case NONE, L1 -> 1.0;
        };
    }

    @Override
    public void prepare(TaskScan scan) {
        if (q <= 0 && rescale == Rescale.L1) {
            double[] sums = new double[2];
            for (double[] s : scan.pass(() -> new double[2],
                    (acc, first, v, off, len) -> DareMask.l1Sums(rng, density, v, off, len, first, acc))) {
                sums[0] += s[0];
                sums[1] += s[1];
            }
            scale = L1Rescale.factor(sums[0], sums[1]);
        }
    }

    @Override
    public void apply(float[] block, int rowStart, int rowCount, int cols) {
        DareMask.apply(rng, density, scale, block, 0, rowCount * cols, (long) rowStart * cols);
    }
}
