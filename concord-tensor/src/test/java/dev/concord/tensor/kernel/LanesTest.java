package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The two operations that fix the vector kernels' rounding: widening (exact, checked on every BF16 and int8 pattern
 * at a 2-byte-aligned address) and the horizontal sum (one fixed tree, whether reduced alone or four at a time).
 */
class LanesTest {
    private static final int ALL = 1 << 16;

    private static MemorySegment allHalfPatterns() {
        MemorySegment s = TestWeights.unaligned(2L * ALL);
        for (int i = 0; i < ALL; i++) {
            s.set(WeightMatrix.I16_LE, 2L * i, (short) i);
        }
        return s;
    }

    @Test
    void bf16WideningIsTheHighHalfOfTheFloatForEveryPattern() {
        MemorySegment s = allHalfPatterns();
        for (int i = 0; i < ALL; i += Lanes.L) {
            FloatVector v = Lanes.bf16(s, 2L * i);
            for (int lane = 0; lane < Lanes.L; lane++) {
                assertThat(Float.floatToRawIntBits(v.lane(lane))).as("pattern %04x", i + lane)
                        .isEqualTo((i + lane) << 16);
            }
        }
    }

    @Test
    void maskedLoadsReadZeroBeyondTheLimitAndNothingPastTheSegment() {
        // the segment ends right after 3 elements: a masked load of a full chunk must not touch the missing ones
        MemorySegment s = TestWeights.unaligned(6);
        for (int i = 0; i < 3; i++) {
            s.set(WeightMatrix.I16_LE, 2L * i, (short) (Float.floatToRawIntBits(i + 1) >>> 16));
        }
        FloatVector bf16 = Lanes.bf16(s, 0, Lanes.SHORTS.indexInRange(0, 3));
        assertThat(bf16.lane(0)).isEqualTo(1f);
        assertThat(bf16.lane(2)).isEqualTo(3f);
        for (int lane = 3; lane < Lanes.L; lane++) {
            assertThat(bf16.lane(lane)).isEqualTo(0f);
        }
        MemorySegment q = TestWeights.unaligned(3);
        q.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) -7);
        FloatVector q8 = Lanes.q8(q, 0, Lanes.BYTES.indexInRange(0, 3));
        assertThat(q8.lane(2)).isEqualTo(-7f);
        for (int lane = 3; lane < Lanes.L; lane++) {
            assertThat(q8.lane(lane)).isEqualTo(0f);
        }
    }

    @Test
    void fourAtATimeSumsEqualSingleSumsBitForBit() {
        java.util.Random rnd = new java.util.Random(12);
        float[][] v = new float[4][Lanes.L];
        for (int trial = 0; trial < 2000; trial++) {
            for (float[] lanes : v) {
                for (int i = 0; i < Lanes.L; i++) {
                    // wide magnitudes and signed zeros make any change of order visible in the bits
                    lanes[i] = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? 0f : -0f)
                            : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(40) - 20));
                }
            }
            FloatVector a = FloatVector.fromArray(Lanes.FLOATS, v[0], 0);
            FloatVector b = FloatVector.fromArray(Lanes.FLOATS, v[1], 0);
            FloatVector c = FloatVector.fromArray(Lanes.FLOATS, v[2], 0);
            FloatVector d = FloatVector.fromArray(Lanes.FLOATS, v[3], 0);
            FloatVector s = Lanes.sum4(a, b, c, d);
            assertThat(Float.floatToRawIntBits(s.lane(0))).isEqualTo(Float.floatToRawIntBits(Lanes.sum(a)));
            assertThat(Float.floatToRawIntBits(s.lane(Lanes.SUM4_B))).isEqualTo(Float.floatToRawIntBits(Lanes.sum(b)));
            assertThat(Float.floatToRawIntBits(s.lane(Lanes.SUM4_C))).isEqualTo(Float.floatToRawIntBits(Lanes.sum(c)));
            assertThat(Float.floatToRawIntBits(s.lane(Lanes.SUM4_D))).isEqualTo(Float.floatToRawIntBits(Lanes.sum(d)));
        }
    }

    @Test
    void sumFollowsThePairwiseTreeOfTheDocumentation() {
        float[] lanes = new float[Lanes.L];
        java.util.Random rnd = new java.util.Random(13);
        for (int trial = 0; trial < 500; trial++) {
            for (int i = 0; i < Lanes.L; i++) {
                lanes[i] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(30) - 15));
            }
            // scalar transcription of the tree: lane i += lane i + h for h = L/2, L/4, ..., 1
            float[] t = lanes.clone();
            for (int h = Lanes.L / 2; h >= 1; h /= 2) {
                for (int i = 0; i < h; i++) {
                    t[i] = t[i] + t[i + h];
                }
            }
            float actual = Lanes.sum(FloatVector.fromArray(Lanes.FLOATS, lanes, 0));
            assertThat(Float.floatToRawIntBits(actual)).isEqualTo(Float.floatToRawIntBits(t[0]));
        }
    }

    @Test
    void q8WideningIsExactForEveryByte() {
        MemorySegment s = TestWeights.unaligned(256);
        for (int i = 0; i < 256; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        for (int i = 0; i < 256; i += Lanes.L) {
            FloatVector v = Lanes.q8(s, i);
            for (int lane = 0; lane < Lanes.L; lane++) {
                assertThat(v.lane(lane)).isEqualTo((float) (byte) (i + lane));
            }
        }
    }
}
