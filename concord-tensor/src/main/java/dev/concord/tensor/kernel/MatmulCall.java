package dev.concord.tensor.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * The arguments of one {@link Kernels#matmul} call, checked once before any work (so no index error can escape
 * from a worker thread), and the epilogue that turns a finished dot product into an output element. Shared by the
 * scalar and the vector implementation so that both apply exactly the same float operations after the dot product.
 */
final class MatmulCall {
    final WeightMatrix w;
    final float[] x;
    final int xOffset;
    final int xStride;
    final int n;
    final float[] y;
    final int yOffset;
    final int yStride;
    final float alpha;
    final float[] bias;
    final boolean accumulate;
    final int in;
    final int out;

    MatmulCall(WeightMatrix w, float[] x, int xOffset, int xStride, int n, float[] y, int yOffset, int yStride,
            float alpha, float[] bias, boolean accumulate) {
        if (w == null || x == null || y == null) {
            throw new IllegalArgumentException("matmul needs weights, x and y; got " + (w == null ? "no weights"
                    : x == null ? "no x" : "no y"));
        }
        this.w = w;
        this.in = w.cols();
        this.out = w.rows();
        if (n < 0) {
            throw new IllegalArgumentException("row count n must be >= 0, got " + n);
        }
        if (xStride < in) {
            throw new IllegalArgumentException("x row stride " + xStride + " is shorter than a row of " + in
                    + " inputs (" + w + ")");
        }
        if (yStride < out) {
            throw new IllegalArgumentException("y row stride " + yStride + " is shorter than a row of " + out
                    + " outputs (" + w + ")");
        }
        checkRange("x", x.length, xOffset, xStride, n, in);
        checkRange("y", y.length, yOffset, yStride, n, out);
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, " + w + " has " + out + " outputs");
        }
        if (x == y && n > 0 && overlaps(xOffset, xStride, in, yOffset, yStride, out, n)) {
            throw new IllegalArgumentException("x and y overlap in the same array; the output would overwrite inputs");
        }
        this.x = x;
        this.xOffset = xOffset;
        this.xStride = xStride;
        this.n = n;
        this.y = y;
        this.yOffset = yOffset;
        this.yStride = yStride;
        this.alpha = alpha;
        this.bias = bias;
        this.accumulate = accumulate;
    }

    private static void checkRange(String name, int length, int offset, int stride, int n, int width) {
        if (offset < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + offset);
        }
        if (n == 0) {
            return;
        }
        long end = offset + (long) (n - 1) * stride + width;
        if (end > length) {
            throw new IllegalArgumentException(name + " needs " + end + " elements (" + n + " rows of " + width
                    + ", stride " + stride + ", offset " + offset + "), the array has " + length);
        }
    }

    private static boolean overlaps(int xOff, int xStride, int in, int yOff, int yStride, int out, int n) {
        long xEnd = xOff + (long) (n - 1) * xStride + in;
        long yEnd = yOff + (long) (n - 1) * yStride + out;
        return xOff < yEnd && yOff < xEnd;
    }

    /**
     * Writes output element (token, row) from its dot product: {@code v = alpha * dot}, then {@code v += bias[row]}
     * if there is a bias, then {@code y = y + v} when accumulating, else {@code y = v}. Each step rounds to float;
     * with alpha = 1 the product is exact.
     */
    void store(int token, int row, float dot) {
        float v = alpha * dot;
        if (bias != null) {
            v += bias[row];
        }
        int index = yOffset + token * yStride + row;
        y[index] = accumulate ? y[index] + v : v;
    }

    /** Stores a {@link Lanes#sum4} result holding one row's dot products with tokens [token, token + 4). */
    void storeTokens4(int row, int token, FloatVector sums) {
        store(token, row, sums.lane(0));
        store(token + 1, row, sums.lane(Lanes.SUM4_B));
        store(token + 2, row, sums.lane(Lanes.SUM4_C));
        store(token + 3, row, sums.lane(Lanes.SUM4_D));
    }

    /**
     * Reduces and stores the 4-rows x 4-tokens tile whose 16 accumulators a wide tile wrote to {@code sums},
     * row-major (row 0's four tokens first), L floats each: the same {@link Lanes#sum4} as the other tiles.
     */
    void storeTile4x4(int row, int token, float[] sums) {
        int l = Lanes.L;
        for (int r = 0; r < 4; r++) {
            int at = 4 * r * l;
            storeTokens4(row + r, token, Lanes.sum4(
                    FloatVector.fromArray(Lanes.FLOATS, sums, at),
                    FloatVector.fromArray(Lanes.FLOATS, sums, at + l),
                    FloatVector.fromArray(Lanes.FLOATS, sums, at + 2 * l),
                    FloatVector.fromArray(Lanes.FLOATS, sums, at + 3 * l)));
        }
    }

    int xRow(int token) {
        return xOffset + token * xStride;
    }
}
