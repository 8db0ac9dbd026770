package dev.concord.tensor.kernel;

import dev.concord.error.InvalidInputException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantize-at-load to Q8_0: each row is cut into blocks of {@value #BLOCK_SIZE} consecutive values (the last one
 * shorter when cols is not a multiple of 32); a block stores {@code d = amax / 127} and {@code q = round(x / d)}
 * clamped to [-127, 127], rounding half away from zero as llama.cpp's {@code roundf} does.
 *
 * <p>Error bound, per element: {@code |x - q*d| <= d/2} up to float rounding (a few ulps of d). With F16 scales
 * {@code d} is first rounded to half precision, which can make {@code x/d} exceed 127 by a relative 2^-11; the
 * clamp then costs at most {@code amax * 2^-11 < d/2} as well. Blocks whose amax/127 is below the F16 normal range
 * (about 6e-5, i.e. amax below 8e-3) lose precision with F16 scales; F32 scales have no such limit.
 */
public final class Q8_0Quantizer {
    public static final int BLOCK_SIZE = 32;

    private Q8_0Quantizer() {}

    public static int blocksPerRow(int cols) {
        return (cols + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** Quantizes any dense weight matrix; the quants go to {@link MappedMemory}, the scales to a heap array. */
    public static WeightMatrix quantize(WeightMatrix source, boolean f16Scales) {
        if (source.format().isQuantized()) {
            throw new IllegalArgumentException(source + " is already quantized");
        }
        int rows = source.rows();
        int cols = source.cols();
        int blocks = blocksPerRow(cols);
        long quantBytes = (long) rows * cols;
        long scaleCount = (long) rows * blocks;
        MemorySegment quants = allocate(quantBytes, source);
        if (scaleCount > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(source + " has too many Q8_0 blocks (" + scaleCount + ") for one array");
        }
        float[] scales = new float[(int) scaleCount];
        float[] row = new float[cols];
        byte[] q = new byte[cols];
        for (int r = 0; r < rows; r++) {
            source.readRow(r, row, 0);
            for (int b = 0; b < blocks; b++) {
                int from = b * BLOCK_SIZE;
                int to = Math.min(cols, from + BLOCK_SIZE);
                float d = quantizeBlock(row, q, from, to, f16Scales, r, b);
                scales[r * blocks + b] = d;
            }
            MemorySegment.copy(q, 0, quants, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
        }
        return WeightMatrix.ofQ8_0(quants, MemorySegment.ofArray(scales), WeightFormat.F32, rows, cols);
    }

    /** Writes q[from, to) and returns the block's scale d. */
    static float quantizeBlock(float[] x, byte[] q, int from, int to, boolean f16Scale, int row, int block) {
        float amax = 0;
        for (int i = from; i < to; i++) {
            float a = Math.abs(x[i]);
            if (!(a <= Float.MAX_VALUE)) {
                throw new InvalidInputException("cannot quantize to Q8_0: row " + row + ", column " + i
                        + " holds the non-finite value " + x[i]);
            }
            amax = Math.max(amax, a);
        }
        float d = amax / 127f;
        if (f16Scale) {
            d = Float.float16ToFloat(Float.floatToFloat16(d));
        }
        float inverse = d == 0 ? 0 : 1f / d;
        for (int i = from; i < to; i++) {
            float scaled = x[i] * inverse;
            // Math.round rounds half up; llama.cpp's roundf rounds half away from zero. Double keeps +0.5 exact.
            int v = (int) Math.copySign(Math.floor(Math.abs((double) scaled) + 0.5), scaled);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
        }
        return d;
    }

    private static MemorySegment allocate(long bytes, WeightMatrix source) {
        // mapped like checkpoint weights, never the heap: see MappedMemory
        return MappedMemory.allocate(bytes, "the Q8_0 copy of " + source);
    }
}
