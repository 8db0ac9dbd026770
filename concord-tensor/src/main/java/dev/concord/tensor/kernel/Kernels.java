package dev.concord.tensor.kernel;

/**
 * The compute kernels of CPU inference, merging and LoRA application: matrix products against a
 * {@link WeightMatrix} (F32, BF16, F16 or Q8_0, widened on the fly) and a few vector operations.
 *
 * <p>Two implementations stand behind this interface, as Lucene's vector utilities do: {@link #scalar()}, plain
 * Java that is easy to check by eye and serves as the oracle in tests, and {@link #vector()}, the Vector API
 * implementation used for real work. Pick with {@link #preferred()}.
 *
 * <p>Activations are row-major {@code float[]}: a batch X of n rows (tokens) of {@code in} values, row i starting
 * at {@code xOffset + i * xStride}. Every product is {@code Y[n, out] = X[n, in] · Wᵀ} with W of shape [out, in];
 * GEMV is the case n = 1.
 *
 * <p><b>Batch invariance.</b> The {@link #vector()} implementation computes every output element with the same
 * sequence of float operations whatever n is, which row of X holds the token, which other rows share the call, and
 * how many threads run it (see {@link VectorKernels}). So a request's result never depends on its batch. The scalar
 * implementation has the same property trivially.
 *
 * <p>Argument errors (short arrays, overlapping x and y, a bias of the wrong length) are programming errors and
 * throw {@link IllegalArgumentException} before any element is written.
 */
public interface Kernels {

    /** The plain-Java reference implementation (single-threaded). */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API implementation on the process-wide {@link ComputePool#shared()} pool. */
    static Kernels vector() {
        return vector(ComputePool.shared());
    }

    /** The Vector API implementation running on {@code pool}. */
    static Kernels vector(ComputePool pool) {
        if (!vectorSupported()) {
            throw new UnsupportedOperationException("the Vector API kernels need the jdk.incubator.vector module "
                    + "(--add-modules jdk.incubator.vector) and 256- or 512-bit vectors");
        }
        return new VectorKernels(pool);
    }

    /** Vector kernels where this JVM and CPU support them, the scalar ones otherwise. */
    static Kernels preferred() {
        return vectorSupported() ? vector() : scalar();
    }

    /** Whether {@link #vector()} can be used: the incubator module is present and vectors have 8 or 16 floats. */
    static boolean vectorSupported() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && Lanes.supported();
    }

    /** A short name for logs and benchmark reports. */
    String name();

    /**
     * The general product, for every token i in [0, n) and output o in [0, w.rows()):
     * <pre>
     *   v = alpha * dot(W[o, :], X[i, :])      (+ bias[o] when bias != null)
     *   Y[i, o] = accumulate ? Y[i, o] + v : v
     * </pre>
     * where X[i, :] starts at {@code x[xOffset + i * xStride]} and Y[i, o] is {@code y[yOffset + i * yStride + o]}.
     * Strides let outputs land in a column slice of a wider buffer (e.g. fused q|k|v rows).
     */
    void matmul(WeightMatrix w, float[] x, int xOffset, int xStride, int n,
            float[] y, int yOffset, int yStride, float alpha, float[] bias, boolean accumulate);

    /**
     * Several products that read the same input batch, e.g. a layer's q, k and v projections or its gate and up
     * projections: for each j, {@code ys[j][i, :] = X[i, :] · ws[j]ᵀ (+ biases[j])}, X rows of {@code xStride} from
     * {@code x[xOffset]}, each Y contiguous from index 0 with stride {@code ws[j].rows()}. Every element is the one
     * {@link #matmul} computes; the vector implementation runs all products as one job on its pool, so the threads
     * meet once instead of once per product (it matters for single-token decoding, where a product takes tens of
     * microseconds). {@code biases} may be null, or hold null for products without a bias.
     */
    default void matmulShared(float[] x, int xOffset, int xStride, int n, WeightMatrix[] ws, float[][] ys,
            float[][] biases) {
        checkShared(ws, ys, biases);
        for (int j = 0; j < ws.length; j++) {
            matmul(ws[j], x, xOffset, xStride, n, ys[j], 0, ws[j].rows(), 1f, biases == null ? null : biases[j], false);
        }
    }

    /** Argument checks of {@link #matmulShared}: one output (and bias slot) per weight matrix. */
    static void checkShared(WeightMatrix[] ws, float[][] ys, float[][] biases) {
        if (ws == null || ys == null || ws.length != ys.length || (biases != null && biases.length != ws.length)) {
            throw new IllegalArgumentException("matmulShared needs one output (and one bias slot) per weight matrix");
        }
    }

    /** y = W x, with x and y contiguous from index 0. */
    default void gemv(WeightMatrix w, float[] x, float[] y) {
        matmul(weights(w), x, 0, w.cols(), 1, y, 0, w.rows(), 1f, null, false);
    }

    /** y[yOffset..] = W x[xOffset..] (+ bias when not null). */
    default void gemv(WeightMatrix w, float[] x, int xOffset, float[] y, int yOffset, float[] bias) {
        matmul(weights(w), x, xOffset, w.cols(), 1, y, yOffset, w.rows(), 1f, bias, false);
    }

    /** y[yOffset..] += W x[xOffset..]. */
    default void gemvAccumulate(WeightMatrix w, float[] x, int xOffset, float[] y, int yOffset) {
        matmul(weights(w), x, xOffset, w.cols(), 1, y, yOffset, w.rows(), 1f, null, true);
    }

    /** Y[n, out] = X[n, in] · Wᵀ, both contiguous from index 0. */
    default void gemm(WeightMatrix w, float[] x, int n, float[] y) {
        matmul(weights(w), x, 0, w.cols(), n, y, 0, w.rows(), 1f, null, false);
    }

    /** Y = X · Wᵀ (+ bias), X and Y contiguous from their offsets. */
    default void gemm(WeightMatrix w, float[] x, int xOffset, int n, float[] y, int yOffset, float[] bias) {
        matmul(weights(w), x, xOffset, w.cols(), n, y, yOffset, w.rows(), 1f, bias, false);
    }

    /** Y += X · Wᵀ, X and Y contiguous from their offsets. */
    default void gemmAccumulate(WeightMatrix w, float[] x, int xOffset, int n, float[] y, int yOffset) {
        matmul(weights(w), x, xOffset, w.cols(), n, y, yOffset, w.rows(), 1f, null, true);
    }

    /**
     * LoRA shrink on one segment of a batch (SGMV: the tokens of one adapter are contiguous, ranks may differ between
     * adapters, nothing is padded): {@code T[j, :] = A · X[firstRow + j, :]} for j in [0, rowCount), where X is the
     * batch's [*, in] activations, A is [r, in] and T is a contiguous [rowCount, r] block at {@code t[tOffset]}.
     */
    default void loraShrink(WeightMatrix a, float[] x, int firstRow, int rowCount, float[] t, int tOffset) {
        matmul(weights(a), x, Math.multiplyExact(firstRow, a.cols()), a.cols(), rowCount, t, tOffset, a.rows(), 1f, null, false);
    }

    /**
     * LoRA expand on one segment: {@code Y[firstRow + j, :] += scale · B · T[j, :]} for j in [0, rowCount), where T is
     * the contiguous [rowCount, r] shrink output at {@code t[tOffset]}, B is [out, r] and Y the batch's [*, out]
     * output, which already holds the base layer's result.
     */
    default void loraExpand(WeightMatrix b, float scale, float[] t, int tOffset, int rowCount, float[] y, int firstRow) {
        matmul(weights(b), t, tOffset, b.cols(), rowCount, y, Math.multiplyExact(firstRow, b.rows()), b.rows(), scale, null, true);
    }

    /**
     * Dot product of a[aOffset, +length) and b[bOffset, +length). The vector implementation uses the same scheme as
     * a matmul row, so {@code dot(row, x)} equals the matching GEMV element of an F32 matrix bit for bit.
     */
    float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

    /** y[i] = fma(alpha, x[i], y[i]) for i in [0, length): one rounding per element, identical in both implementations. */
    void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length);

    /** x[i] = alpha * x[i] for i in [0, length). */
    void scale(float alpha, float[] x, int offset, int length);

    private static WeightMatrix weights(WeightMatrix w) {
        if (w == null) {
            throw new IllegalArgumentException("matmul needs weights, got null");
        }
        return w;
    }
}
