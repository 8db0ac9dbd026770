package dev.concord.model.engine;

/**
 * Root-mean-square layer norm as transformers' LlamaRMSNorm computes it in float32:
 * {@code w * (x * rsqrt(mean(x²) + eps))}. The sum of squares is accumulated in double (more accurate than
 * float32 and independent of vector width); every other step rounds to float32 as torch does.
 */
final class RmsNorm {
    private RmsNorm() {}

    static void apply(float[] x, int xOffset, float[] weight, float eps, float[] out, int outOffset) {
        int n = weight.length;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            squares += (double) v * v;
        }
        float variance = (float) (squares / n);
        float inv = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = weight[i] * (x[xOffset + i] * inv);
        }
    }
}
