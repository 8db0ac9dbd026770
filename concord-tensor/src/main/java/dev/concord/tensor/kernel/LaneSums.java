package dev.concord.tensor.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * The kernels' fixed lane-summing trees for code outside this package that runs its own vector loops (attention):
 * the same additions in the same order whether the code is interpreted or compiled, unlike {@code reduceLanes}.
 * Vectors must be of {@link #SPECIES}.
 */
public final class LaneSums {
    /** The float species every kernel uses. */
    public static final jdk.incubator.vector.VectorSpecies<Float> SPECIES = Lanes.FLOATS;

    private LaneSums() {}

    /** The sum of the lanes of {@code v} by the pairwise tree of the matmul kernels. */
    public static float sum(FloatVector v) {
        return Lanes.sum(v);
    }

    /**
     * The lane sums of four vectors (each bit for bit {@link #sum}) into {@code out[offset..offset + 3]}, cheaper
     * than four separate sums.
     */
    public static void sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] out, int offset) {
        FloatVector s = Lanes.sum4(a, b, c, d);
        out[offset] = s.lane(0);
        out[offset + 1] = s.lane(Lanes.SUM4_B);
        out[offset + 2] = s.lane(Lanes.SUM4_C);
        out[offset + 3] = s.lane(Lanes.SUM4_D);
    }
}
