package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vector widening of 16-bit weights is exact, checked on all 65,536 bit patterns, at a 2-byte-aligned address. */
class WideningTest {
    private static final int ALL = 1 << 16;

    private static MemorySegment allHalfPatterns() {
        MemorySegment s = TestWeights.unaligned(2L * ALL);
        for (int i = 0; i < ALL; i++) {
            s.set(WeightMatrix.I16_LE, 2L * i, (short) i);
        }
        return s;
    }

    @Test
    void f16WideningMatchesFloat16ToFloatForEveryPattern() {
        MemorySegment s = allHalfPatterns();
        for (int i = 0; i < ALL; i += Lanes.L) {
            FloatVector v = Lanes.f16(s, 2L * i);
            for (int lane = 0; lane < Lanes.L; lane++) {
                float expected = Float.float16ToFloat((short) (i + lane));
                float actual = v.lane(lane);
                if (Float.isNaN(expected)) {
                    assertThat(actual).as("pattern %04x", i + lane).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(actual)).as("pattern %04x", i + lane)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
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
            s.set(WeightMatrix.I16_LE, 2L * i, Float.floatToFloat16(i + 1));
        }
        FloatVector f16 = Lanes.f16(s, 0, Lanes.SHORTS.indexInRange(0, 3));
        FloatVector bf16 = Lanes.bf16(s, 0, Lanes.SHORTS.indexInRange(0, 3));
        assertThat(f16.lane(0)).isEqualTo(1f);
        assertThat(f16.lane(2)).isEqualTo(3f);
        for (int lane = 3; lane < Lanes.L; lane++) {
            assertThat(f16.lane(lane)).isEqualTo(0f);
            assertThat(bf16.lane(lane)).isEqualTo(0f);
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
