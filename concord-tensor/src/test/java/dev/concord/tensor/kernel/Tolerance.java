package dev.concord.tensor.kernel;

/**
 * How far a vector-kernel result may lie from the scalar reference. Both compute the same dot product; the
 * reference rounds once (double sums), the vector kernel rounds in each of its ~in/L lane FMAs, the Q8_0 block
 * partials (32/L) and the log2(L)-step tree, each contributing at most 2^-24 * Σ|w·x|. The epilogue (alpha, bias,
 * accumulate) adds a few roundings relative to the magnitudes it combines.
 */
final class Tolerance {
    private static final double EPS = 0x1p-24;

    private Tolerance() {}

    static double matmul(int in, double sumAbsProducts, float alpha, float bias, float y0) {
        int l = Lanes.L;
        double steps = Math.ceil((double) in / l) + 32.0 / l + 6;
        return 2 * steps * EPS * (Math.abs(alpha) * sumAbsProducts + Math.abs(bias) + Math.abs(y0)) + Float.MIN_NORMAL;
    }

    /** Σ_k |W[row, k] · x[xRow + k]| in double. */
    static double sumAbsProducts(float[] dense, int row, int in, float[] x, int xRow) {
        double s = 0;
        for (int k = 0; k < in; k++) {
            s += Math.abs((double) dense[row * in + k] * x[xRow + k]);
        }
        return s;
    }
}
