package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hard requirement on the vector kernels: an output row is bit-for-bit the same whether computed by GEMV or as
 * any row of a GEMM, whatever the batch size, the row's position in the batch, the other rows, and the number of
 * threads.
 */
class BatchInvarianceTest {
    private static final int[] BATCH_SIZES = {1, 3, 13, 17, 64};
    private static final ComputePool[] POOLS = {new ComputePool(1), new ComputePool(2), new ComputePool(3)};

    @AfterAll
    static void closePools() {
        for (ComputePool p : POOLS) {
            p.close();
        }
    }

    /**
     * Shapes with rows and columns off the tile (4), lane (8 or 16) and Q8_0 block (32) sizes, and one whose
     * columns fill whole chunks (96), which takes the wide GEMM tiles. The kernels under test split every call,
     * however small, across their pool's threads.
     */
    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void gemmRowsEqualGemvForEveryBatchSizeAndThreadCount(WeightFormat format) {
        Random rnd = new Random(format.ordinal() + 1);
        for (int[] shape : new int[][] {{69, 121}, {37, 40}, {37, 96}}) {
            // F32 has separate tiles for native memory and heap arrays
            for (TestWeights.Placement placement : TestWeights.Placement.values()) {
                int out = shape[0];
                int in = shape[1];
                WeightMatrix w = TestWeights.random(format, out, in, rnd, placement);
                float[] x = TestWeights.gaussian(64 * in, rnd);
                float[] bias = TestWeights.gaussian(out, rnd);
                float[] base = TestWeights.gaussian(64 * out, rnd);
                if (out == 69) {
                    checkInvariance(w, x, 1f, null, false, base);
                }
                checkInvariance(w, x, 0.37f, bias, true, base);
            }
        }
    }

    private static void checkInvariance(WeightMatrix w, float[] x, float alpha, float[] bias, boolean accumulate,
            float[] base) {
        int in = w.cols();
        int out = w.rows();
        // reference: one GEMV per token on one thread
        float[] reference = base.clone();
        Kernels single = new VectorKernels(POOLS[0], 0);
        for (int t = 0; t < 64; t++) {
            single.matmul(w, x, t * in, in, 1, reference, t * out, out, alpha, bias, accumulate);
        }
        for (ComputePool pool : POOLS) {
            Kernels k = new VectorKernels(pool, 0);
            for (int n : BATCH_SIZES) {
                // the batch starts at a different token each time, so tokens change position
                int first = (64 - n) / 2;
                float[] y = base.clone();
                k.matmul(w, x, first * in, in, n, y, first * out, out, alpha, bias, accumulate);
                assertBitwiseEqual(y, reference, first * out, n * out,
                        w + " GEMM n=" + n + " from token " + first + ", " + pool.threads() + " threads");
                float[] one = base.clone();
                k.matmul(w, x, first * in, in, 1, one, first * out, out, alpha, bias, accumulate);
                assertBitwiseEqual(one, reference, first * out, out, w + " GEMV, " + pool.threads() + " threads");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void aTokensResultDoesNotDependOnItsNeighbours(WeightFormat format) {
        Random rnd = new Random(100 + format.ordinal());
        int in = 77;
        int out = 45;
        WeightMatrix w = TestWeights.random(format, out, in, rnd);
        float[] token = TestWeights.gaussian(in, rnd);
        Kernels k = Kernels.vector(POOLS[1]);
        float[] alone = new float[out];
        k.gemv(w, token, alone);
        for (int position : new int[] {0, 5, 13, 22}) {
            int n = 23;
            float[] batch = TestWeights.gaussian(n * in, rnd);
            System.arraycopy(token, 0, batch, position * in, in);
            float[] y = new float[n * out];
            k.gemm(w, batch, n, y);
            assertBitwiseEqual(Arrays.copyOfRange(y, position * out, (position + 1) * out), alone, 0, out,
                    format + " token at position " + position);
        }
    }

    /** Products sharing one input, run as one job, give each product's bits (q|k|v with a bias on one of them). */
    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void sharedInputProductsEqualSeparateCalls(WeightFormat format) {
        Random rnd = new Random(300 + format.ordinal());
        int in = 96;
        WeightMatrix[] ws = {TestWeights.random(format, 41, in, rnd), TestWeights.random(format, 12, in, rnd),
                TestWeights.random(format, 9, in, rnd)};
        float[][] biases = {null, TestWeights.gaussian(12, rnd), null};
        for (int n : new int[] {1, 5}) {
            float[] x = TestWeights.gaussian(n * in, rnd);
            for (ComputePool pool : POOLS) {
                for (long minMacs : new long[] {0, VectorKernels.PARALLEL_MIN_MACS}) {
                    Kernels k = new VectorKernels(pool, minMacs);
                    float[][] ys = new float[3][];
                    for (int j = 0; j < 3; j++) {
                        ys[j] = new float[n * ws[j].rows()];
                    }
                    k.matmulShared(x, 0, in, n, ws, ys, biases);
                    for (int j = 0; j < 3; j++) {
                        float[] expected = new float[n * ws[j].rows()];
                        new VectorKernels(POOLS[0], 0).gemm(ws[j], x, 0, n, expected, 0, biases[j]);
                        assertBitwiseEqual(ys[j], expected, 0, expected.length,
                                format + " product " + j + ", n=" + n + ", " + pool.threads() + " threads");
                    }
                }
            }
        }
    }

    /** A row range (e.g. the k part of a fused qkv matrix) gives the same bits as the full matrix's rows. */
    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void rowRangeViewsComputeTheSameBitsAsTheFullMatrix(WeightFormat format) {
        Random rnd = new Random(200 + format.ordinal());
        int in = 50;
        for (TestWeights.Placement placement : TestWeights.Placement.values()) {
            WeightMatrix w = TestWeights.random(format, 30, in, rnd, placement);
            float[] x = TestWeights.gaussian(5 * in, rnd);
            Kernels k = new VectorKernels(POOLS[1], 0);
            float[] full = new float[5 * 30];
            k.gemm(w, x, 5, full);
            WeightMatrix part = w.rowRange(9, 13);
            float[] y = new float[5 * 13];
            k.gemm(part, x, 5, y);
            for (int t = 0; t < 5; t++) {
                assertBitwiseEqual(Arrays.copyOfRange(y, t * 13, t * 13 + 13),
                        Arrays.copyOfRange(full, t * 30 + 9, t * 30 + 22), 0, 13, format + " " + placement + " token " + t);
            }
        }
    }

    @Test
    void dotEqualsTheGemvElementOfAnF32Matrix() {
        Random rnd = new Random(5);
        for (int in : new int[] {1, 15, 16, 17, 100, 768}) {
            float[] values = TestWeights.gaussian(3 * in, rnd);
            WeightMatrix w = WeightMatrix.ofFloats(values, 3, in);
            float[] x = TestWeights.gaussian(in, rnd);
            float[] y = new float[3];
            Kernels k = Kernels.vector(POOLS[0]);
            k.gemv(w, x, y);
            for (int r = 0; r < 3; r++) {
                assertThat(Float.floatToRawIntBits(k.dot(values, r * in, x, 0, in)))
                        .as("in=%d row %d", in, r).isEqualTo(Float.floatToRawIntBits(y[r]));
            }
        }
    }

    /** The scheme does not depend on the storage format: the same values in F32, BF16 and F16 give the same bits. */
    @Test
    void denseFormatsHoldingTheSameValuesGiveTheSameBits() {
        Random rnd = new Random(9);
        int out = 21;
        for (int in : new int[] {83, 96}) {
            checkSameBitsForEveryDenseFormat(rnd, out, in);
        }
    }

    private static void checkSameBitsForEveryDenseFormat(Random rnd, int out, int in) {
        float[] values = new float[out * in];
        for (int i = 0; i < values.length; i++) {
            // small integers times a power of two are exact in F32, BF16 and F16 alike
            values[i] = (rnd.nextInt(255) - 127) * 0x1p-6f;
        }
        float[] x = TestWeights.gaussian(17 * in, rnd);
        Kernels k = Kernels.vector(POOLS[2]);
        float[] expected = null;
        for (WeightFormat format : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16, WeightFormat.F16}) {
            WeightMatrix w = TestWeights.fromFloats(format, values, out, in, TestWeights.Placement.NATIVE_2_ALIGNED, false);
            assertThat(TestWeights.dense(w)).isEqualTo(values);
            float[] y = new float[17 * out];
            k.gemm(w, x, 17, y);
            if (expected == null) {
                expected = y;
            } else {
                assertBitwiseEqual(y, expected, 0, y.length, format + " in=" + in);
            }
        }
    }

    private static void assertBitwiseEqual(float[] actual, float[] expected, int from, int length, String what) {
        for (int i = from; i < from + length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + " but " + expected[i]
                        + " was computed alone");
            }
        }
    }
}
