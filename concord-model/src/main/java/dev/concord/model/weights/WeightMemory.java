package dev.concord.model.weights;

import dev.concord.error.ResourceException;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Memory for weight matrices built at run time (adapter factors, merged or quantized copies), of the same kind as
 * the checkpoint's: a memory-mapped file, here an unlinked file in {@code /dev/shm} (RAM) or the temporary
 * directory.
 *
 * <p>Why not the Java heap or plain native memory: the vector kernels' loads are compiled for the segment classes
 * they meet. Array-backed segments next to mapped ones stop the JIT from intrinsifying the loads (measured: the base
 * model's products ran 2-3× slower once adapters lived in arrays), and plain native segments next to mapped ones
 * still cost about 20% on every product. One kind of segment keeps every product on the fast path. The mapping is
 * released when its arena closes (or, for {@link Arena#ofAuto()}, when no matrix refers to it any more).
 */
public final class WeightMemory {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Path SHM = Path.of("/dev/shm");

    private WeightMemory() {}

    /** As {@link #allocate(long, String, Arena)}, released by the garbage collector. */
    public static MemorySegment allocate(long bytes, String what) {
        return allocate(bytes, what, Arena.ofAuto());
    }

    /**
     * {@code bytes} of zeroed, writable memory, mapped like checkpoint weights, valid until {@code arena} closes;
     * {@code what} names it in errors.
     */
    public static MemorySegment allocate(long bytes, String what, Arena arena) {
        Path dir = Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = null;
        try {
            file = Files.createTempFile(dir, "concord-weights-", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // the mapping outlives the channel and the file's name: nothing is left behind on disk
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(1, bytes), arena).asSlice(0, bytes);
            }
        } catch (IOException | OutOfMemoryError e) {
            // no usable file system: plain native memory still avoids the heap
            try {
                return arena.allocate(bytes, 64);
            } catch (OutOfMemoryError oom) {
                throw new ResourceException("out of memory allocating " + what + " (" + bytes + " bytes asked for)", oom);
            }
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // an unlinked name is only a tidiness issue; the memory is still released with the mapping
                }
            }
        }
    }

    /** As {@link #matrix(float[], int, int, WeightFormat, Arena)}, released by the garbage collector. */
    public static WeightMatrix matrix(float[] values, int rows, int cols, WeightFormat format) {
        return matrix(values, rows, cols, format, Arena.ofAuto());
    }

    /**
     * A [rows, cols] matrix holding {@code values} in {@code format} (16-bit formats round to nearest even; Q8_0
     * quantizes, onto the heap, where all q8_0 weights live), valid until {@code arena} closes.
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
