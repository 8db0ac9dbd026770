package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/** The vector kernels agree with the scalar reference within the float-rounding bound of {@link Tolerance}. */
class VectorVsScalarTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Kernels VECTOR = Kernels.vector(POOL);
    private static final Kernels SCALAR = Kernels.scalar();

    @AfterContainer
    static void closePool() {
        POOL.close();
    }

    @Provide
    Arbitrary<WeightFormat> formats() {
        return Arbitraries.of(WeightFormat.values());
    }

    @Property(tries = 160)
    void matmulAgreesWithReference(
            @ForAll("formats") WeightFormat format,
            @ForAll @IntRange(min = 1, max = 37) int rows,
            @ForAll @IntRange(min = 1, max = 300) int cols,
            @ForAll @IntRange(min = 0, max = 9) int n,
            @ForAll long seed) {
        checkAgainstReference(format, rows, cols, n, new Random(seed));
    }

    /** Shapes at the edges of the lane, tile and Q8_0 block sizes, for every format. */
    @Example
    void edgeShapesAgreeWithReference() {
        int[] colsList = {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 257};
        int[] rowsList = {1, 3, 4, 5, 8, 13};
        Random rnd = new Random(7);
        for (WeightFormat format : WeightFormat.values()) {
            for (int cols : colsList) {
                for (int rows : rowsList) {
                    checkAgainstReference(format, rows, cols, 1 + rnd.nextInt(6), rnd);
                }
            }
        }
    }

    /** Large enough to be split across threads (and across token blocks for n > 64). */
    @Example
    void parallelCallsAgreeWithReference() {
        Random rnd = new Random(11);
        for (WeightFormat format : WeightFormat.values()) {
            checkAgainstReference(format, 130, 333, 1, rnd);
            checkAgainstReference(format, 67, 96, 70, rnd);
        }
    }

    private static void checkAgainstReference(WeightFormat format, int rows, int cols, int n, Random rnd) {
        WeightMatrix w = TestWeights.random(format, rows, cols, rnd);
        float[] dense = TestWeights.dense(w);
        int xStride = cols + rnd.nextInt(3);
        int yStride = rows + rnd.nextInt(3);
        int xOffset = rnd.nextInt(5);
        int yOffset = rnd.nextInt(5);
        float[] x = TestWeights.gaussian(xOffset + Math.max(0, n - 1) * xStride + cols + rnd.nextInt(3), rnd);
        float[] y0 = TestWeights.gaussian(yOffset + Math.max(0, n - 1) * yStride + rows + rnd.nextInt(3), rnd);
        float alpha = rnd.nextBoolean() ? 1f : (float) rnd.nextGaussian();
        float[] bias = rnd.nextBoolean() ? TestWeights.gaussian(rows, rnd) : null;
        boolean accumulate = rnd.nextBoolean();

        float[] expected = y0.clone();
        float[] actual = y0.clone();
        SCALAR.matmul(w, x, xOffset, xStride, n, expected, yOffset, yStride, alpha, bias, accumulate);
        VECTOR.matmul(w, x, xOffset, xStride, n, actual, yOffset, yStride, alpha, bias, accumulate);

        boolean[] written = new boolean[y0.length];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < rows; o++) {
                int at = yOffset + i * yStride + o;
                written[at] = true;
                double sum = Tolerance.sumAbsProducts(dense, o, cols, x, xOffset + i * xStride);
                double tol = Tolerance.matmul(cols, sum, alpha, bias == null ? 0 : bias[o], accumulate ? y0[at] : 0);
                assertThat((double) actual[at])
                        .as("%s [%d x %d] n=%d token %d row %d", format, rows, cols, n, i, o)
                        .isCloseTo(expected[at], org.assertj.core.api.Assertions.within(tol));
            }
        }
        for (int at = 0; at < y0.length; at++) {
            if (!written[at]) {
                assertThat(actual[at]).as("element %d outside the output rows must stay untouched", at)
                        .isEqualTo(y0[at]);
                assertThat(expected[at]).isEqualTo(y0[at]);
            }
        }
    }

    @Property(tries = 60)
    void vectorOpsAgreeWithReference(@ForAll @IntRange(min = 0, max = 200) int length, @ForAll long seed) {
        Random rnd = new Random(seed);
        int aOffset = rnd.nextInt(4);
        int bOffset = rnd.nextInt(4);
        float[] a = TestWeights.gaussian(aOffset + length + rnd.nextInt(3), rnd);
        float[] b = TestWeights.gaussian(bOffset + length + rnd.nextInt(3), rnd);
        double sumAbs = 0;
        for (int k = 0; k < length; k++) {
            sumAbs += Math.abs((double) a[aOffset + k] * b[bOffset + k]);
        }
        float expectedDot = SCALAR.dot(a, aOffset, b, bOffset, length);
        float actualDot = VECTOR.dot(a, aOffset, b, bOffset, length);
        assertThat((double) actualDot).isCloseTo(expectedDot,
                org.assertj.core.api.Assertions.within(Tolerance.matmul(length, sumAbs, 1f, 0f, 0f)));

        // axpy and scale round once per element in both implementations: bitwise equal
        float alpha = (float) rnd.nextGaussian();
        float[] ys = b.clone();
        float[] yv = b.clone();
        SCALAR.axpy(alpha, a, aOffset, ys, bOffset, length);
        VECTOR.axpy(alpha, a, aOffset, yv, bOffset, length);
        assertThat(yv).isEqualTo(ys);
        float[] ss = a.clone();
        float[] sv = a.clone();
        SCALAR.scale(alpha, ss, aOffset, length);
        VECTOR.scale(alpha, sv, aOffset, length);
        assertThat(sv).isEqualTo(ss);
    }
}
