package dev.concord.tensor;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format. Concord computes in float32: {@link #F32}, {@link #F16} and
 * {@link #BF16} are read as floats (widened exactly); the others are recognised so that a file using them is
 * reported precisely instead of being called corrupt.
 */
public enum DType {
    F64(64, false),
    F32(32, true),
    F16(16, true),
    BF16(16, true),
    F8_E4M3(8, false),
    F8_E5M2(8, false),
    F8_E8M0(8, false),
    F6_E2M3(6, false),
    F6_E3M2(6, false),
    F4(4, false),
    C64(64, false),
    I64(64, false),
    I32(32, false),
    I16(16, false),
    I8(8, false),
    U64(64, false),
    U32(32, false),
    U16(16, false),
    U8(8, false),
    BOOL(8, false);

    private final int bits;
    private final boolean readableAsFloat;

    DType(int bits, boolean readableAsFloat) {
        this.bits = bits;
        this.readableAsFloat = readableAsFloat;
    }

    public int bits() {
        return bits;
    }

    /** Whether Concord can widen this type to float32 for computation. */
    public boolean readableAsFloat() {
        return readableAsFloat;
    }

    /**
     * Bytes taken by {@code numel} elements; sub-byte types pack their bits, as the safetensors format does.
     *
     * @throws ArithmeticException on overflow (the caller reports it as a corrupt header)
     */
    public long byteSize(long numel) {
        long totalBits = Math.multiplyExact(numel, (long) bits);
        if (totalBits % 8 != 0) {
            throw new ArithmeticException(numel + " elements of " + name() + " do not fill whole bytes");
        }
        return totalBits / 8;
    }

    /** Bytes per element for byte-aligned types. */
    public int byteWidth() {
        return Math.max(1, bits / 8);
    }

    /** The safetensors spelling is the enum name. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public static String knownNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
