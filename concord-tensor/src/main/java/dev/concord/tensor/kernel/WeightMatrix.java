package dev.concord.tensor.kernel;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A weight matrix W of shape [rows, cols] = [out, in] in Hugging Face layout: row-major, one row per output
 * feature, so {@code y = W x} reads each row once, front to back. The values stay where they are (usually a
 * memory-mapped safetensors file, possibly aligned to no more than 2 bytes; or a heap array) and are widened to
 * float exactly when a kernel reads them: BF16 as {@code bits << 16}, F16 as {@link Float#float16ToFloat}.
 *
 * <p>For {@link WeightFormat#Q8_0} the data segment holds {@code rows * cols} signed bytes, row-major without
 * padding, and {@link #scales()} holds one float32 per block of {@value Q8_0Quantizer#BLOCK_SIZE} consecutive
 * values of a row ({@code ceil(cols / 32)} per row; the last block of a row may be shorter). Element {@code (r, c)}
 * is {@code quant(r, c) * scale(r, c / 32)}. The scales (1/8 of the size of the quants) are kept in a heap
 * {@code float[]}, widened from F16 or copied from F32 once, so kernels read them with plain array loads.
 *
 * <p>Instances are immutable views; they never copy the weights themselves and do not own their memory: the caller
 * keeps the segment's arena open while the matrix is in use.
 */
public final class WeightMatrix {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final WeightFormat format;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    /** Q8_0 only: the block scales, row-major; element {@code scaleOffset} is block 0 of row 0. */
    private final float[] scales;
    private final int scaleOffset;
    /** For F32 data on a heap {@code float[]}: the array and the index of element (0, 0); kernels load it directly. */
    private final float[] heapFloats;
    private final int heapOffset;

    private WeightMatrix(
            WeightFormat format, int rows, int cols, MemorySegment data, float[] scales, int scaleOffset) {
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.scales = scales;
        this.scaleOffset = scaleOffset;
        float[] array = null;
        int offset = 0;
        if (format == WeightFormat.F32 && data.heapBase().orElse(null) instanceof float[] a && data.address() % 4 == 0) {
            array = a; // for a heap segment, address() is the byte offset into its array
            offset = (int) (data.address() / 4);
        }
        this.heapFloats = array;
        this.heapOffset = offset;
    }

    /** A dense F32, BF16 or F16 matrix over {@code data}, which must hold exactly rows*cols elements. */
    public static WeightMatrix of(WeightFormat format, MemorySegment data, int rows, int cols) {
        if (format == null || format.isQuantized()) {
            throw new IllegalArgumentException("WeightMatrix.of takes a dense format (F32, BF16, F16), got "
                    + format + "; use ofQ8_0 for quantized weights");
        }
        checkShape(format, rows, cols);
        checkSize("weights", data, (long) rows * cols * format.elementBytes(), format, rows, cols);
        return new WeightMatrix(format, rows, cols, data, null, 0);
    }

    /** A dense matrix over the raw bytes of a safetensors tensor of dtype F32, BF16 or F16. */
    public static WeightMatrix of(DType dtype, MemorySegment data, int rows, int cols) {
        return of(WeightFormat.of(dtype), data, rows, cols);
    }

    /** An F32 matrix over a heap array of exactly rows*cols values (shared, not copied). */
    public static WeightMatrix ofFloats(float[] values, int rows, int cols) {
        if (values == null) {
            throw new IllegalArgumentException("weights array is null");
        }
        return of(WeightFormat.F32, MemorySegment.ofArray(values), rows, cols);
    }

    /**
     * A Q8_0 matrix over existing quants (rows*cols int8) and scales (rows*ceil(cols/32) values, little-endian
     * {@code scaleFormat} F32 or F16). The scales are copied (widened from F16) into a heap array.
     */
    public static WeightMatrix ofQ8_0(
            MemorySegment quants, MemorySegment scales, WeightFormat scaleFormat, int rows, int cols) {
        if (scaleFormat != WeightFormat.F32 && scaleFormat != WeightFormat.F16) {
            throw new IllegalArgumentException("Q8_0 scales are F32 or F16, got " + scaleFormat);
        }
        checkShape(WeightFormat.Q8_0, rows, cols);
        checkSize("quants", quants, (long) rows * cols, WeightFormat.Q8_0, rows, cols);
        long scaleCount = (long) rows * Q8_0Quantizer.blocksPerRow(cols);
        checkSize("scales", scales, scaleCount * scaleFormat.elementBytes(), WeightFormat.Q8_0, rows, cols);
        if (scaleCount > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("Q8_0 matrix [" + rows + ", " + cols + "] has too many blocks ("
                    + scaleCount + ") for one scale array");
        }
        float[] f32 = new float[(int) scaleCount];
        if (scaleFormat == WeightFormat.F16) {
            for (int i = 0; i < f32.length; i++) {
                f32[i] = Float.float16ToFloat(scales.get(I16_LE, 2L * i));
            }
        } else {
            MemorySegment.copy(scales, F32_LE, 0, f32, 0, f32.length);
        }
        return new WeightMatrix(WeightFormat.Q8_0, rows, cols, quants, f32, 0);
    }

    private static void checkShape(WeightFormat format, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new InvalidInputException(
                    "weight matrix shape [" + rows + ", " + cols + "] (" + format + ") must have at least one row and column");
        }
    }

    private static void checkSize(
            String what, MemorySegment segment, long expected, WeightFormat format, int rows, int cols) {
        if (segment == null) {
            throw new IllegalArgumentException(what + " segment is null");
        }
        if (segment.byteSize() != expected) {
            throw new InvalidInputException(format + " weight matrix [" + rows + ", " + cols + "] needs " + expected
                    + " bytes of " + what + ", the segment has " + segment.byteSize());
        }
    }

    public WeightFormat format() {
        return format;
    }

    /** Number of output features (rows of W). */
    public int rows() {
        return rows;
    }

    /** Number of input features (columns of W, the length of x). */
    public int cols() {
        return cols;
    }

    /** The element bytes (the int8 quants for Q8_0). */
    public MemorySegment data() {
        return data;
    }

    /** Q8_0 only: rows * ceil(cols/32) float32 block scales, row-major (a read-only view of the heap copy). */
    public MemorySegment scales() {
        if (scales == null) {
            throw new IllegalStateException(format + " weights have no block scales");
        }
        int count = rows * Q8_0Quantizer.blocksPerRow(cols);
        return MemorySegment.ofArray(scales).asSlice(4L * scaleOffset, 4L * count).asReadOnly();
    }

    /** Q8_0 only: the heap array of block scales; see {@link #scaleOffset()}. */
    float[] scaleArray() {
        return scales;
    }

    /** Index in {@link #scaleArray()} of block 0 of row 0. */
    int scaleOffset() {
        return scaleOffset;
    }

    /** The heap array holding F32 weights, or null when they are off-heap (or not F32). */
    float[] heapFloats() {
        return heapFloats;
    }

    /** Index in {@link #heapFloats()} of element (0, 0). */
    int heapOffset() {
        return heapOffset;
    }

    /** Bytes per row in {@link #data()}. */
    public long rowBytes() {
        return (long) cols * format.elementBytes();
    }

    /** Bytes a kernel streams to read the whole matrix once (data plus Q8_0 scales). */
    public long streamedBytes() {
        return data.byteSize() + (scales == null ? 0 : 4L * rows * Q8_0Quantizer.blocksPerRow(cols));
    }

    /** The view of rows [first, first + count), sharing memory: e.g. the q, k, v parts of a fused projection. */
    public WeightMatrix rowRange(int first, int count) {
        if (first < 0 || count < 1 || (long) first + count > rows) {
            throw new IllegalArgumentException(
                    "row range " + first + "+" + count + " is outside the " + rows + " rows of " + this);
        }
        MemorySegment d = data.asSlice(first * rowBytes(), count * rowBytes());
        int s = scales == null ? 0 : scaleOffset + first * Q8_0Quantizer.blocksPerRow(cols);
        return new WeightMatrix(format, count, cols, d, scales, s);
    }

    /** Element (row, col) widened to float exactly (for Q8_0: the float product quant * scale). */
    public float get(int row, int col) {
        if (row < 0 || row >= rows || col < 0 || col >= cols) {
            throw new IllegalArgumentException("element (" + row + ", " + col + ") is outside " + this);
        }
        long index = (long) row * cols + col;
        return switch (format) {
            case F32 -> data.get(F32_LE, 4 * index);
            case BF16 -> Float.intBitsToFloat(data.get(I16_LE, 2 * index) << 16);
            case F16 -> Float.float16ToFloat(data.get(I16_LE, 2 * index));
            case Q8_0 -> data.get(ValueLayout.JAVA_BYTE, index) * blockScale(row, col / Q8_0Quantizer.BLOCK_SIZE);
        };
    }

    /** Q8_0 only: the scale of block {@code block} of row {@code row}. */
    public float blockScale(int row, int block) {
        if (scales == null) {
            throw new IllegalStateException(format + " weights have no block scales");
        }
        return scales[scaleOffset + row * Q8_0Quantizer.blocksPerRow(cols) + block];
    }

    /** Widens one row into {@code dst[dstOffset ..]} (cold path: embedding lookups, merges, tests). */
    public void readRow(int row, float[] dst, int dstOffset) {
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("row " + row + " is outside " + this);
        }
        if (dst == null || dstOffset < 0 || (long) dstOffset + cols > dst.length) {
            throw new IllegalArgumentException("destination cannot hold " + cols + " values at offset " + dstOffset);
        }
        long base = (long) row * cols;
        switch (format) {
            case F32 -> MemorySegment.copy(data, F32_LE, 4 * base, dst, dstOffset, cols);
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    dst[dstOffset + c] = Float.intBitsToFloat(data.get(I16_LE, 2 * (base + c)) << 16);
                }
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    dst[dstOffset + c] = Float.float16ToFloat(data.get(I16_LE, 2 * (base + c)));
                }
            }
            case Q8_0 -> {
                for (int c = 0; c < cols; c++) {
                    dst[dstOffset + c] = data.get(ValueLayout.JAVA_BYTE, base + c)
                            * blockScale(row, c / Q8_0Quantizer.BLOCK_SIZE);
                }
            }
        }
    }

    /**
     * Quantizes to Q8_0 (quants in mapped memory; scales rounded to F16 first when {@code f16Scales}, as llama.cpp
     * stores them).
     */
    public WeightMatrix quantizeQ8_0(boolean f16Scales) {
        return Q8_0Quantizer.quantize(this, f16Scales);
    }

    @Override
    public String toString() {
        return format + " weights [" + rows + ", " + cols + "]";
    }
}
