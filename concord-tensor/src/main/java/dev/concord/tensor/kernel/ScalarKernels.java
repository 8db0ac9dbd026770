package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels: one element at a time, in index order, on the calling thread. They are the oracle the
 * vector kernels are tested against, so they favour being obviously right over being fast.
 *
 * <p>Order of computation: a dot product sums {@code (double) w[k] * (double) x[k]} for k = 0, 1, ..., in-1 into
 * a double (each product is exact in double; only the sums round), then rounds once to float. For Q8_0 the weight
 * is {@code quant * scale} computed in double. The epilogue (alpha, bias, accumulate) is the float arithmetic of
 * {@link MatmulCall#store}, shared with the vector kernels. The vector result therefore differs from this one only
 * by the float rounding of its own sums, bounded by about {@code (in/L + log2 L + 1) * 2^-24 * Σ|w·x|}.
 */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int xOffset, int xStride, int n,
            float[] y, int yOffset, int yStride, float alpha, float[] bias, boolean accumulate) {
        MatmulCall call = new MatmulCall(w, x, xOffset, xStride, n, y, yOffset, yStride, alpha, bias, accumulate);
        for (int i = 0; i < n; i++) {
            int xRow = call.xRow(i);
            for (int o = 0; o < call.out; o++) {
                call.store(i, o, (float) dot(w, o, x, xRow));
            }
        }
    }

    private static double dot(WeightMatrix w, int row, float[] x, int xRow) {
        MemorySegment data = w.data();
        int in = w.cols();
        long base = (long) row * in;
        double sum = 0;
        switch (w.format()) {
            case F32 -> {
                for (int k = 0; k < in; k++) {
                    sum += (double) data.get(WeightMatrix.F32_LE, 4 * (base + k)) * x[xRow + k];
                }
            }
            case BF16 -> {
                for (int k = 0; k < in; k++) {
                    float wk = Float.intBitsToFloat(data.get(WeightMatrix.I16_LE, 2 * (base + k)) << 16);
                    sum += (double) wk * x[xRow + k];
                }
            }
            case F16 -> {
                for (int k = 0; k < in; k++) {
                    float wk = Float.float16ToFloat(data.get(WeightMatrix.I16_LE, 2 * (base + k)));
                    sum += (double) wk * x[xRow + k];
                }
            }
            case Q8_0 -> {
                for (int k = 0; k < in; k++) {
                    double wk = (double) data.get(ValueLayout.JAVA_BYTE, base + k)
                            * w.blockScale(row, k / Q8_0Quantizer.BLOCK_SIZE);
                    sum += wk * x[xRow + k];
                }
            }
        }
        return sum;
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        ArrayRange.check("a", a, aOffset, length);
        ArrayRange.check("b", b, bOffset, length);
        double sum = 0;
        for (int k = 0; k < length; k++) {
            sum += (double) a[aOffset + k] * b[bOffset + k];
        }
        return (float) sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
        ArrayRange.check("x", x, xOffset, length);
        ArrayRange.check("y", y, yOffset, length);
        for (int k = 0; k < length; k++) {
            y[yOffset + k] = Math.fma(alpha, x[xOffset + k], y[yOffset + k]);
        }
    }

    @Override
    public void scale(float alpha, float[] x, int offset, int length) {
        ArrayRange.check("x", x, offset, length);
        for (int k = 0; k < length; k++) {
            x[offset + k] = alpha * x[offset + k];
        }
    }

    @Override
    public String toString() {
        return "ScalarKernels";
    }
}
