package dev.concord.model.lora;

import dev.concord.error.ResourceException;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Weight matrices built in memory (adapter factors, merged weights) are placed off-heap, like the memory-mapped
 * checkpoint weights, not in Java arrays. Why: the vector kernels' loads are compiled for the kind of segment they
 * have seen; once they have met both off-heap and array-backed segments, the JIT can no longer specialise them,
 * and every product (the base model's included) runs several times slower. Keeping every weight off-heap keeps
 * one kind. The memory is freed by the garbage collector when the matrix is no longer referenced.
 */
final class NativeMatrix {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NativeMatrix() {}

    /** A [rows, cols] matrix holding {@code values} in {@code format} (16-bit formats round to nearest even). */
    static WeightMatrix of(float[] values, int rows, int cols, WeightFormat format) {
        if (format == WeightFormat.Q8_0) {
            return of(values, rows, cols, WeightFormat.F32).quantizeQ8_0(true);
        }
        long bytes = (long) values.length * format.elementBytes();
        MemorySegment seg;
        try {
            seg = Arena.ofAuto().allocate(bytes, 64);
        } catch (OutOfMemoryError e) {
            throw new ResourceException("out of memory allocating a [" + rows + ", " + cols + "] " + format
                    + " matrix (" + bytes + " bytes asked for)", e);
        }
        switch (format) {
            case F32 -> MemorySegment.copy(values, 0, seg, F32_LE, 0, values.length);
            case BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    seg.set(I16_LE, 2L * i, FloatCodec.floatToBf16(values[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < values.length; i++) {
                    seg.set(I16_LE, 2L * i, FloatCodec.floatToF16(values[i]));
                }
            }
            case Q8_0 -> throw new AssertionError("handled above");
        }
        return WeightMatrix.of(format, seg, rows, cols);
    }
}
