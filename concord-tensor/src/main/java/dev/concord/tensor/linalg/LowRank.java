package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.List;

import org.ejml.data.DMatrixRMaj;

/**
 * A matrix kept in factored form, s·B·A with B [rows, k], A [k, cols], k small: a LoRA task vector
 * (s = lora_alpha / r), an exact linear merge of several (ranks concatenated), or a truncated SVD.
 *
 * <p>Everything here works on the factors: inner products and norms through k×k Gram matrices, the SVD through QR
 * of both factors and an SVD of a small core. The dense matrix is only produced on request, one row block at a
 * time ({@link #denseRows}), for element-wise methods and for tests.
 *
 * <p>Immutable. Held in double precision: columns of B and rows of A are each stored contiguously, which is the
 * layout that the Gram products and the Householder QR want.
 */
public final class LowRank {
    /** Below this the SVD treats σ as zero relative to σ_max: far below float32 precision of any LoRA input. */
    public static final double DEFAULT_RANK_TOLERANCE = 1e-10;
    /** Rows densified per inner tile: enough rows to reuse each cached block of A many times. */
    private static final int DENSE_ROW_TILE = 64;
    /**
     * When the Gram formula's ‖·‖² is this small relative to its terms, most digits cancelled (e.g. τ − τ);
     * the norm is then recomputed from QR factors, which do not square the conditioning.
     */
    private static final double GRAM_CANCELLATION_LIMIT = 1e-8;

    private final int rows;
    private final int cols;
    private final int rank;
    /** k columns of B (length rows) one after another. */
    private final double[] left;
    /** k rows of A (length cols) one after another. */
    private final double[] right;
    private final double scale;

    LowRank(int rows, int cols, int rank, double[] left, double[] right, double scale) {
        this.rows = rows;
        this.cols = cols;
        this.rank = rank;
        this.left = left;
        this.right = right;
        this.scale = scale;
    }

    /** s·B·A from LoRA factors B [rows, k] and A [k, cols] (copied to double). */
    public static LowRank of(FloatMatrix b, FloatMatrix a, double scale) {
        checkChain(b.rows(), b.cols(), a.rows(), a.cols());
        FiniteValues.require(b.data(), b.rows(), b.cols(), "low-rank factor B " + b.shapeString());
        FiniteValues.require(a.data(), a.rows(), a.cols(), "low-rank factor A " + a.shapeString());
        FiniteValues.require(scale, "low-rank scale");
        int k = b.cols();
        int out = b.rows();
        double[] left = new double[k * out];
        float[] bd = b.data();
        for (int i = 0; i < out; i++) {
            for (int t = 0; t < k; t++) {
                left[t * out + i] = bd[i * k + t];
            }
        }
        float[] ad = a.data();
        double[] right = new double[ad.length];
        for (int i = 0; i < ad.length; i++) {
            right[i] = ad[i];
        }
        return new LowRank(out, a.cols(), k, left, right, scale);
    }

    /** s·B·A from double factors B [rows, k] and A [k, cols] (copied). */
    public static LowRank of(DMatrixRMaj b, DMatrixRMaj a, double scale) {
        checkChain(b.numRows, b.numCols, a.numRows, a.numCols);
        FiniteValues.require(b.data, b.numRows, b.numCols, "low-rank factor B [" + b.numRows + ", " + b.numCols + "]");
        FiniteValues.require(a.data, a.numRows, a.numCols, "low-rank factor A [" + a.numRows + ", " + a.numCols + "]");
        FiniteValues.require(scale, "low-rank scale");
        return new LowRank(b.numRows, a.numCols, b.numCols,
                MatrixKernels.transpose(b.data, b.numRows, b.numCols), a.data.clone(), scale);
    }

    /** The [rows, cols] zero matrix, with rank 0. */
    public static LowRank zero(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new InvalidInputException("negative shape [" + rows + ", " + cols + "]");
        }
        return new LowRank(rows, cols, 0, new double[0], new double[0], 1.0);
    }

    /**
     * Σ_i w_i·T_i exactly, by concatenating ranks: B = [w_1 s_1 B_1 | w_2 s_2 B_2 | …], A = [A_1; A_2; …].
     * The result's rank is the sum of the ranks; call {@link #svd()} to compress it.
     */
    public static LowRank weightedSum(List<LowRank> terms, double[] weights) {
        if (terms.isEmpty()) {
            throw new InvalidInputException("weighted sum of low-rank terms needs at least one term");
        }
        if (weights.length != terms.size()) {
            throw new InvalidInputException("weighted sum has " + terms.size() + " terms but " + weights.length
                    + " weights");
        }
        LowRank first = terms.getFirst();
        long totalRank = 0;
        for (int i = 0; i < terms.size(); i++) {
            LowRank t = terms.get(i);
            if (t.rows != first.rows || t.cols != first.cols) {
                throw new InvalidInputException("weighted sum term " + i + " has shape " + t.shapeString()
                        + " but term 0 has " + first.shapeString());
            }
            FiniteValues.require(weights[i], "weight " + i + " of the weighted sum");
            totalRank += t.rank;
        }
        long leftSize = totalRank * first.rows;
        long rightSize = totalRank * first.cols;
        if (Math.max(leftSize, rightSize) > Integer.MAX_VALUE - 8) {
            throw new ResourceException("weighted sum of rank " + totalRank + " over " + first.shapeString()
                    + " needs " + Math.max(leftSize, rightSize) + " doubles per factor, more than one array holds",
                    null);
        }
        int k = (int) totalRank;
        double[] left = new double[(int) leftSize];
        double[] right = new double[(int) rightSize];
        int offset = 0;
        for (int i = 0; i < terms.size(); i++) {
            LowRank t = terms.get(i);
            double factor = weights[i] * t.scale;
            for (int j = 0; j < t.rank * t.rows; j++) {
                left[offset * first.rows + j] = factor * t.left[j];
            }
            System.arraycopy(t.right, 0, right, offset * first.cols, t.rank * t.cols);
            offset += t.rank;
        }
        return new LowRank(first.rows, first.cols, k, left, right, 1.0);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The inner dimension k of the factors (an upper bound on the true rank). */
    public int rank() {
        return rank;
    }

    public double scale() {
        return scale;
    }

    /** B [rows, k] (a copy, scale not applied). */
    public DMatrixRMaj left() {
        return new DMatrixRMaj(rows, rank, true, MatrixKernels.transpose(left, rank, rows));
    }

    /** A [k, cols] (a copy, scale not applied). */
    public DMatrixRMaj right() {
        return new DMatrixRMaj(rank, cols, true, right.clone());
    }

    /** B [rows, k] in float32, row-major (scale not applied): the form a LoRA factor is stored in. */
    public FloatMatrix leftAsFloat() {
        float[] out = new float[rows * rank];
        // row by row: k sequential read streams, one sequential write stream
        for (int i = 0, o = 0; i < rows; i++) {
            for (int t = 0, from = i; t < rank; t++, from += rows) {
                out[o++] = (float) left[from];
            }
        }
        return new FloatMatrix(rows, rank, out);
    }

    /** A [k, cols] in float32, row-major (scale not applied). */
    public FloatMatrix rightAsFloat() {
        float[] out = new float[right.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) right[i];
        }
        return new FloatMatrix(rank, cols, out);
    }

    /** The k columns of B one after another (shared, not copied), for this package. */
    double[] leftColumns() {
        return left;
    }

    /** The k rows of A one after another (shared, not copied), for this package. */
    double[] rightRows() {
        return right;
    }

    /** This matrix times {@code factor}; shares the factors. */
    public LowRank scaled(double factor) {
        FiniteValues.require(factor, "scale factor");
        return new LowRank(rows, cols, rank, left, right, scale * factor);
    }

    /** (s·B·A)ᵀ = s·Aᵀ·Bᵀ; shares the factors. */
    public LowRank transpose() {
        return new LowRank(cols, rows, rank, right, left, scale);
    }

    /**
     * Frobenius inner product ⟨s₁B₁A₁, s₂B₂A₂⟩ = s₁s₂·tr((B₁ᵀB₂)(A₂A₁ᵀ)), in O(k₁k₂·(rows + cols)) without
     * densifying. Absolute error is about machine epsilon times ‖B₁‖‖B₂‖‖A₁‖‖A₂‖.
     */
    public double inner(LowRank other) {
        if (other.rows != rows || other.cols != cols) {
            throw new InvalidInputException("inner product of " + shapeString() + " and " + other.shapeString()
                    + " matrices: shapes differ");
        }
        if (rank == 0 || other.rank == 0) {
            return 0;
        }
        // G = B₁ᵀB₂ and H = A₁A₂ᵀ, both k₁×k₂; tr(G·Hᵀ) = Σ G∘H.
        double[] g = new double[rank * other.rank];
        double[] h = new double[rank * other.rank];
        MatrixKernels.gram(left, 0, rows, rank, other.left, 0, rows, other.rank, rows, g, 0, other.rank);
        MatrixKernels.gram(right, 0, cols, rank, other.right, 0, cols, other.rank, cols, h, 0, other.rank);
        double s = 0;
        for (int i = 0; i < g.length; i++) {
            s += g[i] * h[i];
        }
        return scale * other.scale * s;
    }

    /**
     * ‖s·B·A‖_F. Computed from k×k Gram matrices; if that formula cancels (the product is much smaller than its
     * factors, as in T − T), it is recomputed from the triangular QR factors, which do not lose those digits.
     */
    public double frobeniusNorm() {
        if (rank == 0 || scale == 0) {
            return 0;
        }
        double[] g = new double[rank * rank];
        double[] h = new double[rank * rank];
        MatrixKernels.gram(left, 0, rows, rank, left, 0, rows, rank, rows, g, 0, rank);
        MatrixKernels.gram(right, 0, cols, rank, right, 0, cols, rank, cols, h, 0, rank);
        double s = 0;
        double gg = 0;
        double hh = 0;
        for (int i = 0; i < g.length; i++) {
            s += g[i] * h[i];
            gg += g[i] * g[i];
            hh += h[i] * h[i];
        }
        if (s >= GRAM_CANCELLATION_LIMIT * Math.sqrt(gg) * Math.sqrt(hh)) {
            return Math.abs(scale) * Math.sqrt(s);
        }
        return Math.abs(scale) * frobenius(triangularCore(
                HouseholderQr.ofColumns(left.clone(), rows, rank), HouseholderQr.ofColumns(right.clone(), cols, rank)));
    }

    /** Thin SVD with the default numerical-rank tolerance {@link #DEFAULT_RANK_TOLERANCE}. */
    public LowRankSvd svd() {
        return svd(DEFAULT_RANK_TOLERANCE);
    }

    /**
     * Exact thin SVD without densifying: B = Q_b·R_b and Aᵀ = Q_a·R_a (Householder), so s·B·A =
     * Q_b·(s·R_b·R_aᵀ)·Q_aᵀ; the small core s·R_b·R_aᵀ = X·Σ·Yᵀ is decomposed densely and U_s = Q_b·X,
     * V_s = (Q_a·Y)ᵀ. Cost O(k²·(rows + cols) + k³).
     *
     * @param relativeTolerance singular values ≤ tolerance·σ_max are treated as zero and dropped (numerical rank)
     */
    public LowRankSvd svd(double relativeTolerance) {
        if (!(relativeTolerance >= 0) || relativeTolerance >= 1) {
            throw new InvalidInputException("relative rank tolerance must be in [0, 1), got " + relativeTolerance);
        }
        if (rank == 0 || scale == 0 || rows == 0 || cols == 0) {
            return new LowRankSvd(rows, cols, new double[0], new double[0], new double[0]);
        }
        HouseholderQr qb = HouseholderQr.ofColumns(left.clone(), rows, rank);
        HouseholderQr qa = HouseholderQr.ofColumns(right.clone(), cols, rank);
        int pb = qb.size();
        int pa = qa.size();
        double[] core = triangularCore(qb, qa);
        for (int i = 0; i < core.length; i++) {
            core[i] *= scale;
        }
        DenseSvd small = DenseSvd.of(new DMatrixRMaj(pb, pa, true, core));
        double[] sigma = small.sigma();
        int kept = 0;
        double threshold = sigma.length == 0 ? 0 : Math.max(relativeTolerance * sigma[0], roundingFloor(qb, qa));
        while (kept < sigma.length && sigma[kept] > threshold) {
            kept++;
        }
        DMatrixRMaj x = small.u();
        double[] xColumns = new double[kept * pb];
        for (int c = 0; c < kept; c++) {
            for (int i = 0; i < pb; i++) {
                xColumns[c * pb + i] = x.data[i * x.numCols + c];
            }
        }
        // Rows of Yᵀ are the columns of Y.
        double[] yColumns = Arrays.copyOf(small.vt().data, kept * pa);
        double[] u = qb.applyQToColumns(xColumns, kept);
        double[] v = qa.applyQToColumns(yColumns, kept);
        return new LowRankSvd(rows, cols, u, Arrays.copyOf(sigma, kept), v);
    }

    /**
     * The size of rounding noise in the core: forming s·R_b·R_aᵀ from k terms errs by about k·ε·|s|·‖B‖·‖A‖.
     * Without this floor a relative tolerance cannot recognise an exact zero (T − T leaves σ ≈ 1e-17, all of
     * them "large" relative to each other).
     */
    private double roundingFloor(HouseholderQr qb, HouseholderQr qa) {
        return 4 * Math.ulp(1.0) * Math.max(rank, 1) * Math.abs(scale) * frobenius(qb.rData()) * frobenius(qa.rData());
    }

    private static double frobenius(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** R_b·R_aᵀ, [p_b, p_a] row-major, without the scale. */
    private double[] triangularCore(HouseholderQr qb, HouseholderQr qa) {
        int pb = qb.size();
        int pa = qa.size();
        double[] core = new double[pb * pa];
        MatrixKernels.gram(qb.rData(), 0, rank, pb, qa.rData(), 0, rank, pa, rank, core, 0, pa);
        return core;
    }

    /** The whole matrix in float32. For tests and small matrices; large ones should go by {@link #denseRows}. */
    public FloatMatrix toDense() {
        return denseRows(0, rows);
    }

    /**
     * Rows [rowStart, rowStart + rowCount) of s·B·A as a float32 block, accumulated in double. The work is tiled
     * so that each cached block of A serves {@value #DENSE_ROW_TILE} output rows.
     */
    public FloatMatrix denseRows(int rowStart, int rowCount) {
        if (rowStart < 0 || rowCount < 0 || (long) rowStart + rowCount > rows) {
            throw new InvalidInputException("row block [" + rowStart + ", +" + rowCount + ") is outside the "
                    + rows + " rows of a " + shapeString() + " low-rank matrix");
        }
        long size = (long) rowCount * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new ResourceException("a dense block of " + rowCount + " x " + cols + " floats ("
                    + size * Float.BYTES + " bytes) does not fit in one array; ask for fewer rows", null);
        }
        float[] out = new float[(int) size];
        if (rank == 0 || rowCount == 0 || cols == 0) {
            return new FloatMatrix(rowCount, cols, out);
        }
        int tile = Math.min(DENSE_ROW_TILE, rowCount);
        double[] acc = new double[tile * cols];
        for (int r0 = 0; r0 < rowCount; r0 += tile) {
            int nr = Math.min(tile, rowCount - r0);
            Arrays.fill(acc, 0, nr * cols, 0.0);
            // acc[i, j] = Σ_t B[rowStart + r0 + i, t] · A[t, j]; B's column t is left[t·rows …].
            MatrixKernels.mulAdd(left, rowStart + r0, 1, rows, right, 0, cols, acc, 0, cols, nr, rank, cols);
            int base = r0 * cols;
            for (int i = 0; i < nr * cols; i++) {
                out[base + i] = (float) (scale * acc[i]);
            }
        }
        return new FloatMatrix(rowCount, cols, out);
    }

    /** This matrix as a stream of dense row blocks of {@code blockRows} rows (the last may be shorter). */
    public RowBlockSource rowBlocks(int blockRows) {
        if (blockRows <= 0) {
            throw new InvalidInputException("row block size must be positive, got " + blockRows);
        }
        LowRank self = this;
        return new RowBlockSource() {
            @Override
            public int rows() {
                return self.rows;
            }

            @Override
            public int cols() {
                return self.cols;
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                for (int r = 0; r < self.rows; r += blockRows) {
                    int n = Math.min(blockRows, self.rows - r);
                    consumer.accept(r, self.denseRows(r, n));
                }
            }
        };
    }

    public String shapeString() {
        return "[" + rows + ", " + cols + "]";
    }

    @Override
    public String toString() {
        return "LowRank" + shapeString() + " rank " + rank + " scale " + scale;
    }

    private static void checkChain(int bRows, int bCols, int aRows, int aCols) {
        if (bCols != aRows) {
            throw new InvalidInputException("low-rank factors do not chain: B is [" + bRows + ", " + bCols
                    + "] but A is [" + aRows + ", " + aCols + "]");
        }
    }
}
