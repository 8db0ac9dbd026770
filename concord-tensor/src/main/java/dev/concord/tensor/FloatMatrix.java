package dev.concord.tensor;

import java.util.Arrays;

/**
 * A dense row-major float matrix on the heap: the working form of LoRA factors, task vectors and row blocks.
 * Large weights stay memory-mapped elsewhere; this type is for what fits comfortably in a {@code float[]}.
 */
public final class FloatMatrix {
    private final int rows;
    private final int cols;
    private final float[] data;

    public FloatMatrix(int rows, int cols, float[] data) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(
                    "shape " + rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public static FloatMatrix zeros(int rows, int cols) {
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " is too large for one array");
        }
        return new FloatMatrix(rows, cols, new float[(int) n]);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The backing array, row-major; shared, not copied. */
    public float[] data() {
        return data;
    }

    public float get(int r, int c) {
        return data[r * cols + c];
    }

    public void set(int r, int c, float v) {
        data[r * cols + c] = v;
    }

    public FloatMatrix transpose() {
        float[] t = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatMatrix(cols, rows, t);
    }

    public FloatMatrix copy() {
        return new FloatMatrix(rows, cols, data.clone());
    }

    /** Frobenius norm accumulated in double so that large matrices do not lose precision. */
    public double frobeniusNorm() {
        double s = 0;
        for (float v : data) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    public String shapeString() {
        return "[" + rows + ", " + cols + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatMatrix" + shapeString();
    }
}
