package dev.concord.model.lora;

import dev.concord.tensor.kernel.WeightMatrix;

/**
 * The low-rank update of one linear layer, {@code Δ = scaling · B · A}, kept factored: A [r, in] (shrink) and
 * B [out, r] (expand), in PEFT's stored orientation so that the kernels read rows of both.
 */
public record LoraFactors(WeightMatrix a, WeightMatrix b, float scaling) {
    public LoraFactors {
        if (a.rows() != b.cols()) {
            throw new IllegalArgumentException("A " + a + " and B " + b + " disagree on the rank");
        }
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

    /** Bytes a step reads to apply this update once. */
    public long bytes() {
        return a.streamedBytes() + b.streamedBytes();
    }
}
