package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Q8_0QuantizerTest {

    /** |x - q*d| <= d/2 per element (up to float rounding), for every source format and both scale formats. */
    @Property(tries = 60)
    void dequantizationErrorIsAtMostHalfAStep(
            @ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @IntRange(min = 1, max = 130) int cols,
            @ForAll boolean f16Scales,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        for (WeightFormat source : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16, WeightFormat.F16}) {
            WeightMatrix w = TestWeights.random(source, rows, cols, rnd);
            float[] original = TestWeights.dense(w);
            WeightMatrix q = w.quantizeQ8_0(f16Scales);
            assertThat(q.format()).isEqualTo(WeightFormat.Q8_0);
            assertThat(q.scales().byteSize()).isEqualTo(4L * rows * Q8_0Quantizer.blocksPerRow(cols));
            float[] restored = TestWeights.dense(q);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float d = q.blockScale(r, c / 32);
                    float x = original[r * cols + c];
                    // gaussian weights have block amax far above the F16 normal range, so F16 scales keep the bound
                    assertThat((double) Math.abs(x - restored[r * cols + c]))
                            .as("%s row %d col %d", source, r, c).isLessThanOrEqualTo(d * (0.5 + 1e-5));
                    int quant = q.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) r * cols + c);
                    assertThat(quant).isBetween(-127, 127);
                }
            }
        }
    }

    @Test
    void largestMagnitudeMapsToPlusOrMinus127AndScaleIsAmaxOver127() {
        float[] block = new float[40];
        Random rnd = new Random(3);
        for (int i = 0; i < block.length; i++) {
            block[i] = rnd.nextFloat() * 2 - 1;
        }
        block[7] = -5f; // amax of block 0
        block[35] = 2f; // amax of the short second block (8 values)
        WeightMatrix q = WeightMatrix.ofFloats(block, 1, 40).quantizeQ8_0(false);
        assertThat(q.blockScale(0, 0)).isEqualTo(5f / 127f);
        assertThat(q.blockScale(0, 1)).isEqualTo(2f / 127f);
        assertThat(q.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 7)).isEqualTo((byte) -127);
        assertThat(q.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 35)).isEqualTo((byte) 127);
    }

    @Test
    void halvesRoundAwayFromZeroLikeRoundf() {
        // d = 127/127 = 1, so x/d = x: 2.5 -> 3, -2.5 -> -3, 0.5 -> 1, -0.5 -> -1, 0.49999997 -> 0
        float[] x = {127f, 2.5f, -2.5f, 0.5f, -0.5f, 0.49999997f};
        WeightMatrix q = WeightMatrix.ofFloats(x, 1, x.length).quantizeQ8_0(false);
        byte[] expected = {127, 3, -3, 1, -1, 0};
        for (int i = 0; i < x.length; i++) {
            assertThat(q.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)).as("x=%s", x[i]).isEqualTo(expected[i]);
        }
    }

    @Test
    void f16ScalesAreRoundedToHalfPrecisionAndStillBoundTheError() {
        float[] x = {1f, 0.3f, -0.77f, 0.001f};
        WeightMatrix q = WeightMatrix.ofFloats(x, 1, 4).quantizeQ8_0(true);
        float d = q.blockScale(0, 0);
        assertThat(Float.float16ToFloat(Float.floatToFloat16(d))).isEqualTo(d);
        assertThat(d).isNotEqualTo(1f / 127f); // 1/127 is not a half-precision number
        for (int i = 0; i < 4; i++) {
            assertThat((double) Math.abs(q.get(0, i) - x[i])).isLessThanOrEqualTo(d * 0.5 * (1 + 1e-5));
        }
    }

    @Test
    void allZeroBlockHasZeroScaleAndZeroQuants() {
        WeightMatrix q = WeightMatrix.ofFloats(new float[33], 1, 33).quantizeQ8_0(false);
        assertThat(q.blockScale(0, 0)).isZero();
        assertThat(q.blockScale(0, 1)).isZero();
        assertThat(TestWeights.dense(q)).containsOnly(0f);
    }

    @Test
    void nonFiniteWeightsAreRejectedWithTheirPosition() {
        float[] x = new float[64];
        x[45] = Float.NaN;
        assertThatThrownBy(() -> WeightMatrix.ofFloats(x, 2, 32).quantizeQ8_0(false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("row 1, column 13");
        x[45] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> WeightMatrix.ofFloats(x, 2, 32).quantizeQ8_0(false))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void externalF16ScalesAreWidenedOnce() {
        Random rnd = new Random(8);
        WeightMatrix native16 = TestWeights.random(WeightFormat.Q8_0, 5, 70, rnd, TestWeights.Placement.NATIVE_2_ALIGNED);
        assertThat(native16.scales().byteSize()).isEqualTo(4L * 5 * 3);
        for (int r = 0; r < 5; r++) {
            for (int b = 0; b < 3; b++) {
                float d = native16.blockScale(r, b);
                assertThat(Float.float16ToFloat(Float.floatToFloat16(d))).isEqualTo(d);
            }
        }
    }
}
