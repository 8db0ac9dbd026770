package dev.concord.tensor.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Random weight matrices for the kernel tests, placed the awkward way real ones can be: in native memory at an
 * address that is 2 mod 4 (a safetensors tensor need not be aligned to more than its element size), or on the heap.
 */
final class TestWeights {
    private TestWeights() {}

    /** Where the weights live. */
    enum Placement { NATIVE_2_ALIGNED, HEAP }

    static WeightMatrix random(WeightFormat format, int rows, int cols, Random rnd) {
        return random(format, rows, cols, rnd, rnd.nextBoolean() ? Placement.NATIVE_2_ALIGNED : Placement.HEAP);
    }

    static WeightMatrix random(WeightFormat format, int rows, int cols, Random rnd, Placement placement) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        return fromFloats(format, values, rows, cols, placement, rnd.nextBoolean());
    }

    /**
     * Stores {@code values} in {@code format} (BF16 by truncation, F16 by rounding, Q8_0 by quantizing; Q8_0 on
     * native memory keeps F16 scales there, exercising the widening of external scales).
     */
    static WeightMatrix fromFloats(WeightFormat format, float[] values, int rows, int cols, Placement placement,
            boolean f16Scales) {
        if (format == WeightFormat.Q8_0) {
            WeightMatrix q = fromFloats(WeightFormat.F32, values, rows, cols, Placement.HEAP, false)
                    .quantizeQ8_0(f16Scales);
            if (placement == Placement.HEAP) {
                return q;
            }
            int blocks = Q8_0Quantizer.blocksPerRow(cols);
            MemorySegment quants = unaligned((long) rows * cols);
            MemorySegment.copy(q.data(), 0, quants, 0, quants.byteSize());
            MemorySegment scales = unaligned(2L * rows * blocks);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < blocks; b++) {
                    float d = q.blockScale(r, b);
                    scales.set(WeightMatrix.I16_LE, 2L * (r * blocks + b), Float.floatToFloat16(d));
                }
            }
            return WeightMatrix.ofQ8_0(quants, scales, WeightFormat.F16, rows, cols);
        }
        if (format == WeightFormat.F32 && placement == Placement.HEAP) {
            return WeightMatrix.ofFloats(values.clone(), rows, cols);
        }
        MemorySegment data = placement == Placement.HEAP
                ? MemorySegment.ofArray(new short[values.length])
                : unaligned((long) values.length * format.elementBytes());
        for (int i = 0; i < values.length; i++) {
            switch (format) {
                case F32 -> data.set(WeightMatrix.F32_LE, 4L * i, values[i]);
                case BF16 -> data.set(WeightMatrix.I16_LE, 2L * i,
                        (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                case F16 -> data.set(WeightMatrix.I16_LE, 2L * i, Float.floatToFloat16(values[i]));
                default -> throw new AssertionError(format);
            }
        }
        return WeightMatrix.of(format, data, rows, cols);
    }

    /** A native segment of {@code bytes} whose address is 2 mod 4 (and 2 mod 8). */
    static MemorySegment unaligned(long bytes) {
        MemorySegment block = Arena.ofAuto().allocate(bytes + 2, 8);
        MemorySegment s = block.asSlice(2, bytes);
        if (s.address() % 4 != 2) {
            throw new AssertionError("expected an address 2 mod 4, got " + s.address());
        }
        return s;
    }

    /** The whole matrix widened to floats, row-major. */
    static float[] dense(WeightMatrix w) {
        float[] out = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.readRow(r, out, r * w.cols());
        }
        return out;
    }

    static float[] gaussian(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}
