package dev.concord.merge.elementwise;

import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.TopMagnitudeSelection;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * TIES' trim: keep the k = int(density · numel) largest |entries| of the tensor (PEFT's
 * {@code magnitude_based_pruning}), or of the adapter's whole task vector when a model-scope cut is given.
 */
public final class MagnitudeTrim implements Sparsifier {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final double density;
    private final long indexOffset;
    private MagnitudeCut cut;

    /** Per-tensor trim: the cut is found in {@link #prepare}. */
    public MagnitudeTrim(double density) {
        this.density = density;
        this.indexOffset = 0;
    }

    /** Model-scope trim: the cut was found over the whole task vector; this module starts at indexOffset. */
    public MagnitudeTrim(MagnitudeCut modelCut, long indexOffset) {
        this.density = Double.NaN;
        this.cut = modelCut;
        this.indexOffset = indexOffset;
    }

    @Override
    public void prepare(TaskScan scan) {
        if (cut == null) {
            long k = MagnitudeCut.keepCount(density, scan.numel());
            cut = new TopMagnitudeSelection().select(scan, scan.numel(), k, scan.sampler());
        }
    }

    public MagnitudeCut cut() {
        return cut;
    }

    @Override
    public void apply(float[] block, int rowStart, int rowCount, int cols) {
        if (cut == MagnitudeCut.KEEP_ALL) {
            return;
        }
        long first = indexOffset + (long) rowStart * cols;
        int n = rowCount * cols;
        float t = cut.threshold();
        int step = SPECIES.length();
        int j = 0;
        for (; j + step <= n; j += step) {
            FloatVector x = FloatVector.fromArray(SPECIES, block, j);
            FloatVector a = x.abs();
            if (a.compare(VectorOperators.EQ, t).anyTrue()) {
                // a tie with the threshold: the element index decides, lane by lane
                for (int l = 0; l < step; l++) {
                    if (!cut.keeps(Math.abs(block[j + l]), first + j + l)) {
                        block[j + l] = 0f;
                    }
                }
            } else {
                x.blend(0f, a.compare(VectorOperators.GT, t).not()).intoArray(block, j);
            }
        }
        for (; j < n; j++) {
            if (!cut.keeps(Math.abs(block[j]), first + j)) {
                block[j] = 0f;
            }
        }
    }
}
