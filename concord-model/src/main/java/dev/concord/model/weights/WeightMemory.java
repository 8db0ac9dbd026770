package dev.concord.model.weights;

import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.kernel.MappedMemory;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Weight matrices built at run time (adapter factors, merged or quantized copies) in memory of the same kind as the
 * checkpoint's ({@link MappedMemory} says why that matters for speed).
 */
public final class WeightMemory {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private WeightMemory() {}

    /** As {@link #allocate(long, String, Arena)}, released by the garbage collector. */
    public static MemorySegment allocate(long bytes, String what) {
        return allocate(bytes, what, Arena.ofAuto());
    }

    /**
     * {@code bytes} of zeroed, writable memory of the checkpoint's kind ({@link MappedMemory}), valid until
     * {@code arena} closes.
     */
    public static MemorySegment allocate(long bytes, String what, Arena arena) {
        return MappedMemory.allocate(bytes, what, arena);
    }

    /** As {@link #matrix(float[], int, int, WeightFormat, Arena)}, released by the garbage collector. */
    public static WeightMatrix matrix(float[] values, int rows, int cols, WeightFormat format) {
        return matrix(values, rows, cols, format, Arena.ofAuto());
    }

    /**
     * A [rows, cols] matrix holding {@code values} in {@code format} (16-bit formats round to nearest even; Q8_0
     * quantizes), valid until {@code arena} closes.
     */
    public static WeightMatrix matrix(float[] values, int rows, int cols, WeightFormat format, Arena arena) {
        if (format == WeightFormat.Q8_0) {
            return WeightMatrix.ofFloats(values, rows, cols).quantizeQ8_0(true);
        }
        long bytes = (long) values.length * format.elementBytes();
        MemorySegment seg = allocate(bytes, "a [" + rows + ", " + cols + "] " + format + " matrix", arena);
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
