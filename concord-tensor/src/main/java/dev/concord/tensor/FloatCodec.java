package dev.concord.tensor;

/**
 * Exact conversions between float32 and the 16-bit float formats. Narrowing rounds to nearest, ties to even, as
 * PyTorch does, so that tensors written by Concord equal those PyTorch would write from the same float32 values.
 */
public final class FloatCodec {
    private FloatCodec() {}

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            // keep it a quiet NaN with the sign; plain truncation could turn a NaN payload into infinity
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }
}
