package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the Vector API kernels and the two operations that fix their rounding: widening a chunk of
 * weights to L floats, and the horizontal sum. See {@link VectorKernels} for the accumulation scheme.
 *
 * <p>The horizontal sum is our own fixed tree of lane-wise adds, not {@code reduceLanes(ADD)}: the Vector API leaves
 * the order of a floating-point lane reduction unspecified (its Java fallback adds the lanes one after another,
 * while C2 may reduce in a tree), which would let a result depend on whether the calling code happened to be
 * JIT-compiled.
 */
final class Lanes {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.length() > 16
            ? FloatVector.SPECIES_512
            : FloatVector.SPECIES_PREFERRED;
    /** L: floats per vector (16 with AVX-512, 8 with AVX2). */
    static final int L = FLOATS.length();
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.length() == L
            ? IntVector.SPECIES_PREFERRED
            : VectorSpecies.of(int.class, FLOATS.vectorShape());
    /** L shorts: one chunk of BF16 weights, widened to INTS. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    /** L bytes: one chunk of Q8_0 quants (needs L >= 8, the smallest vector shape being 64 bits). */
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Lanes of a {@link #sum4} result holding the sums of its 2nd, 3rd and 4th argument (the 1st is in lane 0). */
    static final int SUM4_B = L / 4;
    static final int SUM4_C = L / 2;
    static final int SUM4_D = 3 * L / 4;

    private static final VectorShuffle<Float> HALF = rotation(L / 2);
    private static final VectorShuffle<Float> QUARTER = rotation(Math.max(1, L / 4));
    private static final VectorShuffle<Float> EIGHTH = rotation(Math.max(1, L / 8));
    private static final VectorShuffle<Float> SIXTEENTH = rotation(Math.max(1, L / 16));

    private static final FloatVector HALF_LOW = pairIndexes(L / 2, 0);
    private static final FloatVector HALF_HIGH = pairIndexes(L / 2, L / 2);
    private static final FloatVector QUARTER_LOW = pairIndexes(L / 4, 0);
    private static final FloatVector QUARTER_HIGH = pairIndexes(L / 4, L / 4);

    private Lanes() {}

    /** Whether this machine's vectors suit the kernels: 8 or 16 float lanes (AVX2 or AVX-512 class hardware). */
    static boolean supported() {
        return (L == 8 || L == 16) && SHORTS.length() == L && BYTES.length() == L && INTS.length() == L;
    }

    private static VectorShuffle<Float> rotation(int by) {
        return VectorShuffle.iota(FLOATS, by, 1, true);
    }

    /**
     * Sum of all lanes by a fixed pairwise tree: lane i is added to lane i + L/2, then i + L/4, ... so for L = 16 the
     * result is ((((v0+v8)+(v4+v12))+((v2+v10)+(v6+v14))) + (((v1+v9)+(v5+v13))+((v3+v11)+(v7+v15)))).
     */
    static float sum(FloatVector v) {
        v = v.add(v.rearrange(HALF));
        v = v.add(v.rearrange(QUARTER));
        v = v.add(v.rearrange(EIGHTH));
        if (L == 16) {
            v = v.add(v.rearrange(SIXTEENTH));
        }
        return v.lane(0);
    }

    /**
     * The sums of four vectors, by the same tree as {@link #sum} for each (so bit for bit equal to four calls of it),
     * but with the first two levels done for two vectors at once: one step takes the pair sums (lane j plus lane
     * j + g) of u into one half of each 2g-lane block and those of v into the other half, costing two two-vector
     * permutes and one add instead of two permutes and two adds. Lanes 0, L/4, L/2 and 3L/4 of the result hold the
     * sums of a, b, c and d.
     */
    static FloatVector sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        FloatVector ac = HALF_LOW.selectFrom(a, c).add(HALF_HIGH.selectFrom(a, c));
        FloatVector bd = HALF_LOW.selectFrom(b, d).add(HALF_HIGH.selectFrom(b, d));
        FloatVector v = QUARTER_LOW.selectFrom(ac, bd).add(QUARTER_HIGH.selectFrom(ac, bd));
        v = v.add(v.rearrange(EIGHTH));
        if (L == 16) {
            v = v.add(v.rearrange(SIXTEENTH));
        }
        return v;
    }

    /**
     * Indexes for {@code selectFrom(u, v)} (0..L-1 pick from u, L..2L-1 from v) that lay out, in every block of 2g
     * lanes, g lanes of u then g lanes of v, starting {@code shift} lanes into the block: shift 0 gives the low
     * members of the level's pairs, shift g the high members.
     */
    private static FloatVector pairIndexes(int g, int shift) {
        float[] index = new float[L];
        for (int i = 0; i < L; i++) {
            int block = i / (2 * g) * (2 * g);
            int j = i % (2 * g);
            index[i] = j < g ? block + j + shift : L + block + (j - g) + shift;
        }
        return FloatVector.fromArray(FLOATS, index, 0);
    }

    static VectorMask<Float> floatMask(int index, int limit) {
        return FLOATS.indexInRange(index, limit);
    }

    static FloatVector f32(MemorySegment w, long offset) {
        return FloatVector.fromMemorySegment(FLOATS, w, offset, LE);
    }

    static FloatVector f32(MemorySegment w, long offset, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(FLOATS, w, offset, LE, m);
    }

    /** BF16 to float is exact: the 16 bits become the high half of the float's bits. */
    static FloatVector bf16(MemorySegment w, long offset) {
        return widenBf16(ShortVector.fromMemorySegment(SHORTS, w, offset, LE));
    }

    static FloatVector bf16(MemorySegment w, long offset, VectorMask<Short> m) {
        return widenBf16(ShortVector.fromMemorySegment(SHORTS, w, offset, LE, m));
    }

    private static FloatVector widenBf16(ShortVector s) {
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, INTS, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** One chunk of L int8 quants as floats (exact: every int8 is a float). */
    static FloatVector q8(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(BYTES, q, offset, LE)
                .convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    static FloatVector q8(MemorySegment q, long offset, VectorMask<Byte> m) {
        return (FloatVector) ByteVector.fromMemorySegment(BYTES, q, offset, LE, m)
                .convertShape(VectorOperators.B2F, FLOATS, 0);
    }
}
