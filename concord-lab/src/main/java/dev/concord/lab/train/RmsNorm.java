package dev.concord.lab.train;

/**
 * RMSNorm of one token, {@code y = w ⊙ x · inv} with {@code inv = 1 / sqrt(mean(x²) + eps)}, computed as the
 * engine computes it (sum of squares in double, the rest rounded to float32), and its gradient.
 */
final class RmsNorm {
    private RmsNorm() {}

    /** Writes y at {@code y[yOff]} and returns {@code inv} (kept for the backward pass). */
    static float forward(float[] x, int xOff, float[] w, float eps, float[] y, int yOff) {
        int n = w.length;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            squares += (double) v * v;
        }
        float variance = (float) (squares / n);
        float inv = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = w[i] * (x[xOff + i] * inv);
        }
        return inv;
    }

    /**
     * Given dy (gradient of y), adds to {@code dx} (at {@code dxOff}, holding the residual gradient already) the
     * gradient through the norm, {@code inv·g − inv³/n · x · Σ g·x} with {@code g = dy ⊙ w}, and, when
     * {@code dw} is not null, adds {@code dy ⊙ x · inv} to {@code dw[dwOff…]}.
     */
    static void backward(float[] dy, int dyOff, float[] x, int xOff, float inv, float[] w, float[] dx, int dxOff,
            float[] dw, int dwOff) {
        int n = w.length;
        double gx = 0;
        for (int i = 0; i < n; i++) {
            gx += (double) (dy[dyOff + i] * w[i]) * x[xOff + i];
        }
        float k = (float) (gx * inv * inv * inv / n);
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            dx[dxOff + i] += inv * (dy[dyOff + i] * w[i]) - k * xi;
        }
        if (dw != null) {
            for (int i = 0; i < n; i++) {
                dw[dwOff + i] += dy[dyOff + i] * (x[xOff + i] * inv);
            }
        }
    }
}
