package dev.concord.model.lora;

import dev.concord.tensor.kernel.WeightMatrix;

/**
 * The low-rank update of one linear layer, {@code Δ = scaling · B · A}, kept factored: A [r, in] (shrink) and
 * B [out, r] (expand) in PEFT's stored orientation, plus B transposed to [r, out] in float32 for the expand
 * kernel of {@link LoraSegments}, which runs along output columns and so needs no horizontal sums.
 */
public final class LoraFactors {
    private final WeightMatrix a;
    private final WeightMatrix b;
    private final float scaling;
    private final float[] bTransposed;

    public LoraFactors(WeightMatrix a, WeightMatrix b, float scaling) {
        if (a.rows() != b.cols()) {
            throw new IllegalArgumentException("A " + a + " and B " + b + " disagree on the rank");
        }
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        int r = b.cols();
        int out = b.rows();
        this.bTransposed = new float[r * out];
        float[] row = new float[r];
        for (int o = 0; o < out; o++) {
            b.readRow(o, row, 0);
            for (int k = 0; k < r; k++) {
                bTransposed[k * out + o] = row[k];
            }
        }
    }

    /** A [r, in], the shrink. */
    public WeightMatrix a() {
        return a;
    }

    /** B [out, r], the expand as stored. */
    public WeightMatrix b() {
        return b;
    }

    /** alpha / r (or alpha / sqrt(r)) as PEFT resolves it for this module. */
    public float scaling() {
        return scaling;
    }

    /** Bᵀ [r, out] row-major, widened to float32. */
    float[] bTransposed() {
        return bTransposed;
    }

    public int rank() {
        return a.rows();
    }

    public int inFeatures() {
        return a.cols();
    }

    public int outFeatures() {
        return b.rows();
    }

    /** Bytes a step reads to apply this update once: A as stored, Bᵀ in float32. */
    public long bytes() {
        return a.streamedBytes() + 4L * bTransposed.length;
    }
}
