package dev.concord.model.engine;

import dev.concord.model.config.ModelConfig;
import dev.concord.model.config.RopeScaling;
import java.util.Arrays;

/**
 * Rotary position embedding in Hugging Face's rotate-half convention: dimension i of a head (i < d/2) pairs with
 * dimension i + d/2, both rotated by angle {@code position · invFreq[i]}. The inverse frequencies are computed as
 * transformers computes them in float32 ({@code 1 / base^(2i/d)}), then scaled for {@code linear} or
 * {@code llama3} rope_scaling; the angle is the float32 product and its cosine and sine are rounded to float32.
 * HF checkpoints store q/k in this layout already, so nothing is permuted.
 */
final class RotaryEmbedding {
    private final int headDim;
    private final int half;
    private final float[] invFreq;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private int positions;

    RotaryEmbedding(ModelConfig config) {
        this.headDim = config.headDim();
        this.half = headDim / 2;
        this.invFreq = inverseFrequencies(config);
    }

    static float[] inverseFrequencies(ModelConfig config) {
        int dim = config.headDim();
        float base = (float) config.ropeTheta();
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = 1.0f / (float) Math.pow(base, exponent);
        }
        RopeScaling s = config.ropeScaling();
        switch (s.type()) {
            case DEFAULT -> { }
            case LINEAR -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) (inv[i] / s.factor());
                }
            }
            case LLAMA3 -> {
                // Llama 3.1: keep high frequencies, divide low ones by factor, interpolate smoothly in between
                double oldLen = s.originalMaxPositionEmbeddings();
                double lowWavelen = oldLen / s.lowFreqFactor();
                double highWavelen = oldLen / s.highFreqFactor();
                for (int i = 0; i < inv.length; i++) {
                    double f = inv[i];
                    double wavelen = 2 * Math.PI / f;
                    double scaled = wavelen > lowWavelen ? f / s.factor() : f;
                    if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                        double smooth = (oldLen / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                        scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                    }
                    inv[i] = (float) scaled;
                }
            }
        }
        return inv;
    }

    /** Makes the cos/sin tables cover positions [0, count). */
    synchronized void ensure(int count) {
        if (count <= positions) {
            return;
        }
        int n = Math.max(count, Math.min(Math.max(2 * positions, 256), Integer.MAX_VALUE / half));
        float[] c = Arrays.copyOf(cos, n * half);
        float[] s = Arrays.copyOf(sin, n * half);
        for (int p = positions; p < n; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        cos = c;
        sin = s;
        positions = n;
    }

    /** Rotates {@code heads} consecutive heads of {@code x} starting at {@code offset}, for {@code position}. */
    void apply(float[] x, int offset, int heads, int position) {
        float[] c = cos;
        float[] s = sin;
        int t = position * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[base + i];
                float x2 = x[base + half + i];
                float ci = c[t + i];
                float si = s[t + i];
                // q * cos + rotate_half(q) * sin, rotate_half(q) = (-x2, x1): two products, one sum, as torch does
                x[base + i] = x1 * ci + (-x2) * si;
                x[base + half + i] = x2 * ci + x1 * si;
            }
        }
    }
}
