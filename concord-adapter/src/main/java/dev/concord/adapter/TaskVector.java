package dev.concord.adapter;

import dev.concord.error.ResourceException;
import dev.concord.tensor.FloatMatrix;

/**
 * A low-rank weight update kept in factored form: {@code tau = scale · left · right} with {@code left} [rows, k] and
 * {@code right} [k, cols]. For a LoRA module, k is its rank and the product is never formed unless asked for:
 * norms and inner products come from k×k Gram matrices, and dense values come a row block at a time, so memory
 * stays O((rows + cols)·k) whatever the size of the weight.
 *
 * <p>All sums are accumulated in double. The factor matrices are shared, not copied: callers must not modify them.
 */
public final class TaskVector {
    private final double scale;
    private final FloatMatrix left;
    private final FloatMatrix right;

    private TaskVector(double scale, FloatMatrix left, FloatMatrix right) {
        this.scale = scale;
        this.left = left;
        this.right = right;
    }

    /**
     * {@code scale · left · right}.
     *
     * @throws IllegalArgumentException if the inner dimensions differ or the scale is not finite
     */
    public static TaskVector of(double scale, FloatMatrix left, FloatMatrix right) {
        if (left.cols() != right.rows()) {
            throw new IllegalArgumentException("factor shapes " + left.shapeString() + " and " + right.shapeString()
                    + " do not chain");
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
        return new TaskVector(scale, left, right);
    }

    /** The zero update of a given shape, as a rank-0 product (a module an adapter does not touch). */
    public static TaskVector zero(int rows, int cols) {
        return new TaskVector(1.0, FloatMatrix.zeros(rows, 0), FloatMatrix.zeros(0, cols));
    }

    public int rows() {
        return left.rows();
    }

    public int cols() {
        return right.cols();
    }

    /** Inner dimension k of the factorisation (an upper bound of the true rank). */
    public int rank() {
        return left.cols();
    }

    public double scale() {
        return scale;
    }

    /** [rows, k]; shared, do not modify. */
    public FloatMatrix left() {
        return left;
    }

    /** [k, cols]; shared, do not modify. */
    public FloatMatrix right() {
        return right;
    }

    /** The same update times {@code factor} (only the scale changes). */
    public TaskVector scaled(double factor) {
        return of(scale * factor, left, right);
    }

    /** {@code tauᵀ = scale · rightᵀ · leftᵀ}; copies the (small) factors. */
    public TaskVector transpose() {
        return new TaskVector(scale, right.transpose(), left.transpose());
    }

    /** Exact ‖tau‖_F from the Gram matrices: {@code |scale| · sqrt(tr((LᵀL)(RRᵀ)))}, O((rows + cols)·k²). */
    public double frobeniusNorm() {
        double[] gl = leftGram(left, left, true);
        double[] gr = rightGram(right, right, true);
        double sum = 0;
        for (int i = 0; i < gl.length; i++) {
            sum += gl[i] * gr[i];
        }
        // tr(AB) of two PSD matrices is ≥ 0; a tiny negative value can only be rounding
        return Math.abs(scale) * Math.sqrt(Math.max(0, sum));
    }

    /**
     * The Frobenius inner product {@code <this, other>} = {@code s1·s2·tr((L1ᵀL2)(R2R1ᵀ))}, without densifying.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public double innerProduct(TaskVector other) {
        if (other.rows() != rows() || other.cols() != cols()) {
            throw new IllegalArgumentException("shapes differ: [" + rows() + ", " + cols() + "] and ["
                    + other.rows() + ", " + other.cols() + "]");
        }
        // m[i][j] = (L1ᵀ L2)[i][j], n[i][j] = (R1 R2ᵀ)[i][j]; tr(M · R2R1ᵀ) = Σ m[i][j]·n[i][j]
        double[] m = leftGram(left, other.left, false);
        double[] n = rightGram(right, other.right, false);
        double sum = 0;
        for (int i = 0; i < m.length; i++) {
            sum += m[i] * n[i];
        }
        return scale * other.scale * sum;
    }

    /**
     * (Xᵀ Y) for X [rows, k1], Y [rows, k2], row-major k1×k2: computed as (Xᵀ)(Yᵀ)ᵀ on transposed copies, so
     * that every entry is one dot product over contiguous memory.
     */
    private static double[] leftGram(FloatMatrix x, FloatMatrix y, boolean symmetric) {
        FloatMatrix xt = x.transpose();
        return rightGram(xt, symmetric ? xt : y.transpose(), symmetric);
    }

    /**
     * (X Yᵀ) for X [k1, cols], Y [k2, cols], row-major k1×k2; with {@code symmetric} (X == Y) only the upper
     * triangle is computed and mirrored.
     */
    private static double[] rightGram(FloatMatrix x, FloatMatrix y, boolean symmetric) {
        int k1 = x.rows();
        int k2 = y.rows();
        int cols = x.cols();
        float[] xd = x.data();
        float[] yd = y.data();
        double[] g = new double[k1 * k2];
        for (int i = 0; i < k1; i++) {
            for (int j = symmetric ? i : 0; j < k2; j++) {
                double d = dot(xd, i * cols, yd, j * cols, cols);
                g[i * k2 + j] = d;
                if (symmetric) {
                    g[j * k2 + i] = d;
                }
            }
        }
        return g;
    }

    /** A dot product in double with four independent sums, which lets the CPU overlap the additions. */
    private static double dot(float[] a, int ao, float[] b, int bo, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += (double) a[ao + i] * b[bo + i];
            s1 += (double) a[ao + i + 1] * b[bo + i + 1];
            s2 += (double) a[ao + i + 2] * b[bo + i + 2];
            s3 += (double) a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += (double) a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Rows {@code [rowStart, rowStart + rowCount)} of the dense update as a [rowCount, cols] matrix. */
    public FloatMatrix denseRows(int rowStart, int rowCount) {
        checkRows(rowStart, rowCount);
        FloatMatrix out = FloatMatrix.zeros(rowCount, cols());
        denseRows(rowStart, rowCount, out.data(), 0);
        return out;
    }

    /**
     * Writes rows {@code [rowStart, rowStart + rowCount)} of the dense update, row-major, into {@code dst} from
     * {@code dstOffset}: each value is {@code scale · Σ_p left[i,p]·right[p,j]} summed in double, then rounded
     * once to float.
     */
    public void denseRows(int rowStart, int rowCount, float[] dst, int dstOffset) {
        checkRows(rowStart, rowCount);
        int cols = cols();
        int k = rank();
        if ((long) dstOffset + (long) rowCount * cols > dst.length || dstOffset < 0) {
            throw new IndexOutOfBoundsException("destination of length " + dst.length + " cannot take " + rowCount
                    + " rows of " + cols + " from offset " + dstOffset);
        }
        float[] l = left.data();
        float[] r = right.data();
        double[] acc = new double[cols];
        for (int i = 0; i < rowCount; i++) {
            java.util.Arrays.fill(acc, 0);
            int lo = (rowStart + i) * k;
            for (int p = 0; p < k; p++) {
                double c = l[lo + p];
                if (c == 0) {
                    continue;
                }
                int ro = p * cols;
                for (int j = 0; j < cols; j++) {
                    acc[j] += c * r[ro + j];
                }
            }
            int o = dstOffset + i * cols;
            for (int j = 0; j < cols; j++) {
                dst[o + j] = (float) (scale * acc[j]);
            }
        }
    }

    /**
     * The whole dense update; for updates that fit one array (use {@link #denseRows} for large ones).
     *
     * @throws ResourceException if rows·cols exceeds what one float array can hold
     */
    public FloatMatrix dense() {
        long n = (long) rows() * cols();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ResourceException("task vector [" + rows() + ", " + cols() + "] has " + n
                    + " elements, more than one float array holds (" + (n * 4) + " bytes); densify it by row blocks",
                    null);
        }
        return denseRows(0, rows());
    }

    private void checkRows(int rowStart, int rowCount) {
        if (rowStart < 0 || rowCount < 0 || (long) rowStart + rowCount > rows()) {
            throw new IndexOutOfBoundsException("rows " + rowStart + "+" + rowCount + " of a task vector with "
                    + rows() + " rows");
        }
    }

    @Override
    public String toString() {
        return "TaskVector[" + rows() + " x " + cols() + ", rank " + rank() + ", scale " + scale + "]";
    }
}
