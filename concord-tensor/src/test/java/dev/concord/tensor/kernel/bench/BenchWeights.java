package dev.concord.tensor.kernel.bench;

import dev.concord.tensor.kernel.Q8_0Quantizer;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Weights for the benchmarks, in native memory as a memory-mapped checkpoint would be. "Cold" sets hold enough
 * copies of the matrix (at least 1 GiB in total) that rotating through them defeats the last-level cache, so a
 * GEMV is measured against main memory, as it is in a real forward pass over a model much larger than the cache.
 */
final class BenchWeights {
    static final long COLD_SET_BYTES = 1L << 30;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchWeights() {}

    /** "32000x768" → {32000, 768} (rows = out, cols = in). */
    static int[] shape(String spec) {
        String[] parts = spec.split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    static long streamedBytes(WeightFormat format, int rows, int cols) {
        if (format == WeightFormat.Q8_0) {
            return (long) rows * cols + 4L * rows * Q8_0Quantizer.blocksPerRow(cols);
        }
        return (long) rows * cols * format.elementBytes();
    }

    /** {@code copies} independent copies of one random matrix, each in its own 64-byte-aligned native block. */
    static WeightMatrix[] create(Arena arena, WeightFormat format, int rows, int cols, int copies) {
        Random rnd = new Random(42);
        int dense = format == WeightFormat.Q8_0 ? 4 : format.elementBytes();
        MemorySegment first = arena.allocate((long) rows * cols * dense, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) rnd.nextGaussian();
            switch (format) {
                case F32, Q8_0 -> first.set(F32_LE, 4 * i, v);
                case BF16 -> first.set(I16_LE, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> first.set(I16_LE, 2 * i, Float.floatToFloat16(v));
            }
        }
        WeightMatrix prototype = WeightMatrix.of(format == WeightFormat.Q8_0 ? WeightFormat.F32 : format, first, rows, cols);
        if (format == WeightFormat.Q8_0) {
            prototype = prototype.quantizeQ8_0(false);
        }
        WeightMatrix[] out = new WeightMatrix[copies];
        for (int c = 0; c < copies; c++) {
            out[c] = copy(arena, prototype);
        }
        return out;
    }

    private static WeightMatrix copy(Arena arena, WeightMatrix w) {
        MemorySegment data = arena.allocate(w.data().byteSize(), 64);
        data.copyFrom(w.data());
        if (w.format() != WeightFormat.Q8_0) {
            return WeightMatrix.of(w.format(), data, w.rows(), w.cols());
        }
        MemorySegment scales = arena.allocate(w.scales().byteSize(), 64);
        scales.copyFrom(w.scales());
        return WeightMatrix.ofQ8_0(data, scales, WeightFormat.F32, w.rows(), w.cols());
    }

    /** How many copies make a cold set (1 when {@code cold} is false). */
    static int copies(boolean cold, WeightFormat format, int rows, int cols) {
        if (!cold) {
            return 1;
        }
        return (int) Math.max(2, Math.ceilDiv(COLD_SET_BYTES, streamedBytes(format, rows, cols)));
    }

    static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
