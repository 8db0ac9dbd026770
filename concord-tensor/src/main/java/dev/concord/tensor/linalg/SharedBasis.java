package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;

import java.util.List;

import org.ejml.data.DMatrixRMaj;

/**
 * Several low-rank matrices of one shape, T_i = s_i·B_i·A_i, written in two shared orthonormal bases. One
 * Householder QR of each stack, [s_1·B_1 | … | s_n·B_n] = Q_b·R_b and [A_1; …; A_n]ᵀ = Q_a·R_a, gives
 * T_i = Q_b·(R_b,i·R_a,iᵀ)·Q_aᵀ, where R_b,i and R_a,i are the columns of R_b and R_a that belong to term i. Every
 * term then lives in a small [p_b, p_a] coordinate space (p ≤ Σ r_i), where SVDs, stacking and orthogonalising
 * cost nothing next to the model dimension; {@link #expand} maps a result back with one multiply by each Q.
 *
 * <p>Why one QR of the whole stack rather than one per term: the per-term route needs each term's singular
 * vectors in model space and then Gram matrices and products of the stacked [rows, Σ r_i] matrices; here the only
 * model-sized work is the two factorisations and the two final applications of Q, all blocked and vectorised.
 * Because Q is a product of reflections it stays orthonormal even when the stack is rank-deficient (the same
 * adapter given twice), so nothing here assumes independent terms.
 */
public final class SharedBasis {
    private final int rows;
    private final int cols;
    private final int[] offsets;
    private final int[] ranks;
    private final HouseholderQr left;
    private final HouseholderQr right;

    private SharedBasis(int rows, int cols, int[] offsets, int[] ranks, HouseholderQr left, HouseholderQr right) {
        this.rows = rows;
        this.cols = cols;
        this.offsets = offsets;
        this.ranks = ranks;
        this.left = left;
        this.right = right;
    }

    /**
     * Factors the stacks of the given terms (at least one; all of one shape; rank 0 allowed).
     *
     * @throws InvalidInputException if the list is empty or the shapes differ
     */
    public static SharedBasis of(List<LowRank> terms) {
        if (terms.isEmpty()) {
            throw new InvalidInputException("a shared basis needs at least one low-rank term");
        }
        LowRank first = terms.getFirst();
        int rows = first.rows();
        int cols = first.cols();
        int[] offsets = new int[terms.size()];
        int[] ranks = new int[terms.size()];
        long total = 0;
        for (int i = 0; i < terms.size(); i++) {
            LowRank t = terms.get(i);
            if (t.rows() != rows || t.cols() != cols) {
                throw new InvalidInputException("low-rank term " + i + " has shape " + t.shapeString()
                        + " but term 0 has " + first.shapeString());
            }
            offsets[i] = (int) Math.min(total, Integer.MAX_VALUE);
            ranks[i] = t.rank();
            total += t.rank();
        }
        if (total * Math.max(rows, cols) > Integer.MAX_VALUE - 8) {
            throw new ResourceException("stacking rank " + total + " over " + first.shapeString() + " needs "
                    + total * Math.max(rows, cols) + " doubles per factor, more than one array holds", null);
        }
        int k = (int) total;
        // Columns of the left stack and rows of the right stack, each contiguous: what the QR factors in place.
        double[] leftStack = new double[k * rows];
        double[] rightStack = new double[k * cols];
        for (int i = 0; i < terms.size(); i++) {
            LowRank t = terms.get(i);
            double s = t.scale();
            double[] b = t.leftColumns();
            int at = offsets[i] * rows;
            for (int j = 0; j < b.length; j++) {
                leftStack[at + j] = s * b[j];
            }
            System.arraycopy(t.rightRows(), 0, rightStack, offsets[i] * cols, t.rank() * cols);
        }
        return new SharedBasis(rows, cols, offsets, ranks, HouseholderQr.ofColumns(leftStack, rows, k),
                HouseholderQr.ofColumns(rightStack, cols, k));
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of terms. */
    public int size() {
        return ranks.length;
    }

    /** p_b: the dimension of the left coordinate space (min(rows, Σ r_i)). */
    public int leftDimension() {
        return left.size();
    }

    /** p_a: the dimension of the right coordinate space (min(cols, Σ r_i)). */
    public int rightDimension() {
        return right.size();
    }

    /**
     * Term i in the bases' coordinates, a [p_b, p_a] matrix of rank r_i with scale 1 (s_i is inside):
     * T_i = Q_b·core(i)·Q_aᵀ exactly, so its SVD gives T_i's singular values and, through {@link #expand}, its
     * singular vectors.
     */
    public LowRank core(int i) {
        int pb = left.size();
        int pa = right.size();
        int r = ranks[i];
        int o = offsets[i];
        int k = left.cols();
        double[] rb = left.rData();
        double[] ra = right.rData();
        double[] b = new double[r * pb];
        double[] a = new double[r * pa];
        for (int t = 0; t < r; t++) {
            for (int j = 0; j < pb; j++) {
                b[t * pb + j] = rb[j * k + o + t];
            }
            for (int j = 0; j < pa; j++) {
                a[t * pa + j] = ra[j * k + o + t];
            }
        }
        return new LowRank(pb, pa, r, b, a, 1.0);
    }

    /**
     * The [rows, cols] matrix Q_b·x·y·Q_aᵀ as factors B = Q_b·x [rows, q] and A = y·Q_aᵀ [q, cols], scale 1.
     *
     * @param x [p_b, q] left coordinates
     * @param y [q, p_a] right coordinates
     */
    public LowRank expand(DMatrixRMaj x, DMatrixRMaj y) {
        int pb = left.size();
        int pa = right.size();
        if (x.numRows != pb || y.numCols != pa || x.numCols != y.numRows) {
            throw new InvalidInputException("coordinates [" + x.numRows + ", " + x.numCols + "] and [" + y.numRows
                    + ", " + y.numCols + "] do not fit a shared basis of dimensions " + pb + " and " + pa);
        }
        int q = x.numCols;
        FiniteValues.require(x.data, pb, q, "left coordinates");
        FiniteValues.require(y.data, q, pa, "right coordinates");
        // Q·X takes X's columns one after another; y's rows already are the columns of yᵀ.
        double[] b = left.applyQToColumns(MatrixKernels.transpose(x.data, pb, q), q);
        double[] a = right.applyQToColumns(y.data, q);
        return new LowRank(rows, cols, q, b, a, 1.0);
    }
}
