package dev.concord.tensor.kernel;

import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;

/**
 * How the elements of a {@link WeightMatrix} are stored. The dense formats are little-endian IEEE (or bfloat16)
 * values widened to float exactly when a kernel reads them; {@link #Q8_0} stores blocks of
 * {@value Q8_0Quantizer#BLOCK_SIZE} signed bytes sharing one float scale, as llama.cpp's q8_0 does.
 */
public enum WeightFormat {
    F32(4),
    BF16(2),
    F16(2),
    Q8_0(1);

    private final int elementBytes;

    WeightFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element in the data segment (for Q8_0: the int8 quants, scales are stored apart). */
    public int elementBytes() {
        return elementBytes;
    }

    public boolean isQuantized() {
        return this == Q8_0;
    }

    /** The weight format that reads a safetensors tensor of this dtype without conversion. */
    public static WeightFormat of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case BF16 -> BF16;
            case F16 -> F16;
            default -> throw new UnsupportedFeatureException(
                    "weights of dtype " + dtype + " cannot be used by the compute kernels; supported: F32, BF16, F16");
        };
    }
}
