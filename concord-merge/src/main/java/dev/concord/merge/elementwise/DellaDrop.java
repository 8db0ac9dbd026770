package dev.concord.merge.elementwise;

import dev.concord.error.ResourceException;
import dev.concord.merge.ops.Della;
import dev.concord.merge.ops.L1Rescale;
import dev.concord.merge.ops.MaskRandom;
import java.util.Arrays;

/**
 * DELLA's MAGPRUNE (see {@link Della}) per row or per tensor, with survivors divided by their own keep
 * probability (the paper), restored to the tensor's L1 norm (mergekit's rescale), or left as they are.
 * Per-tensor ranking holds the tensor's sorted magnitudes in memory (one float per element of this module).
 */
public final class DellaDrop implements Sparsifier {
    private final MaskRandom rng;
    private final double density;
    private final double epsilon;
    private final BandScope scope;
    private final Rescale rescale;
    private float[] sortedTensor;
    private double l1Factor = 1.0;

    public DellaDrop(MaskRandom rng, double density, double epsilon, BandScope scope, Rescale rescale) {
        this.rng = rng;
        this.density = density;
        this.epsilon = epsilon;
        this.scope = scope;
        this.rescale = rescale;
    }

    @Override
    public void prepare(TaskScan scan) {
        int cols = scan.taskVector().cols();
        if (scope == BandScope.TENSOR) {
            long n = scan.numel();
            if (n > Integer.MAX_VALUE - 8) {
                throw new ResourceException("DELLA with --scope tensor must sort all " + n + " magnitudes of a module ("
                        + n * 4 + " bytes), more than one array holds; use --scope row", null);
            }
            float[] all = new float[(int) n];
            scan.pass(() -> null, (acc, first, v, off, len) -> {
                for (int j = 0; j < len; j++) {
                    all[(int) first + j] = Math.abs(v[off + j]);
                }
            });
            Arrays.sort(all);
            sortedTensor = all;
        }
        if (rescale == Rescale.L1) {
            double[] sums = new double[2];
            scan.pass(() -> null, (acc, first, v, off, len) -> {
                if (scope == BandScope.TENSOR) {
                    Della.l1Sums(sortedTensor, rng, density, epsilon, v, off, len, first, sums);
                } else {
                    for (int r = 0; r < len / cols; r++) {
                        float[] sorted = Della.sortedMagnitudes(v, off + r * cols, cols);
                        Della.l1Sums(sorted, rng, density, epsilon, v, off + r * cols, cols, first + (long) r * cols, sums);
                    }
                }
            });
            l1Factor = L1Rescale.factor(sums[0], sums[1]);
        }
    }

    @Override
    public void apply(float[] block, int rowStart, int rowCount, int cols) {
        boolean inverse = rescale == Rescale.INVERSE;
        long first = (long) rowStart * cols;
        if (scope == BandScope.TENSOR) {
            Della.apply(sortedTensor, rng, density, epsilon, inverse, block, 0, rowCount * cols, first);
        } else {
            for (int r = 0; r < rowCount; r++) {
                float[] sorted = Della.sortedMagnitudes(block, r * cols, cols);
                Della.apply(sorted, rng, density, epsilon, inverse, block, r * cols, cols, first + (long) r * cols);
            }
        }
        if (l1Factor != 1.0) {
            float f = (float) l1Factor;
            for (int j = 0; j < rowCount * cols; j++) {
                block[j] *= f;
            }
        }
    }
}
