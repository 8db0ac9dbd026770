package dev.concord.lab.train;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout (dimension i of a head pairs with i + d/2), with
 * the cosines and sines computed as the engine computes them (float32 inverse frequencies {@code 1 / θ^(2i/d)}, the
 * angle as a float32 product), so that trainer and engine see the same rotations. {@link #inverse} applies the
 * transposed rotation, which is the backward pass.
 */
final class RotaryTable {
    private final int headDim;
    private final int half;
    private final float[] cos;
    private final float[] sin;
    private final int positions;

    RotaryTable(int headDim, double theta, int positions) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.positions = positions;
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        float base = (float) theta;
        for (int i = 0; i < half; i++) {
            float inv = 1.0f / (float) Math.pow(base, (float) (2 * i) / (float) headDim);
            for (int p = 0; p < positions; p++) {
                float angle = (float) p * inv;
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    int positions() {
        return positions;
    }

    /** Rotates {@code heads} consecutive heads of the vector at {@code x[offset]} for {@code position}. */
    void apply(float[] x, int offset, int heads, int position) {
        int t = position * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[base + i];
                float x2 = x[base + half + i];
                float c = cos[t + i];
                float s = sin[t + i];
                x[base + i] = x1 * c + (-x2) * s;
                x[base + half + i] = x2 * c + x1 * s;
            }
        }
    }

    /** The gradient through {@link #apply}: rotates by the negative angle, in place. */
    void inverse(float[] g, int offset, int heads, int position) {
        int t = position * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float g1 = g[base + i];
                float g2 = g[base + half + i];
                float c = cos[t + i];
                float s = sin[t + i];
                g[base + i] = g1 * c + g2 * s;
                g[base + half + i] = g2 * c - g1 * s;
            }
        }
    }
}
