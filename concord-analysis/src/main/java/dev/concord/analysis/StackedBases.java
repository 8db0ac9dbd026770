package dev.concord.analysis;

/**
 * The singular bases of every adapter on one module, side by side — {@code [U_1 | U_2 | …]} and
 * {@code [V_1 | V_2 | …]} — and their Gram matrices. Block (a, b) of the left Gram is {@code U_aᵀU_b}, of the right
 * one {@code V_aᵀV_b}; with the singular values these give every pairwise quantity exactly:
 * {@code <tau_a, tau_b> = Σ_pq σ_a,p (U_aᵀU_b)_pq σ_b,q (V_aᵀV_b)_pq}, subspace overlaps, projections, and the
 * TSV interference. Cost: one {@link SymmetricGram} per side, O((rows + cols)·K²) for K = Σ ranks.
 */
public final class StackedBases {
    private final TaskBasis[] bases;
    private final int[] offset;
    private final int total;
    private final double[] left;
    private final double[] right;

    private StackedBases(TaskBasis[] bases, int[] offset, int total, double[] left, double[] right) {
        this.bases = bases;
        this.offset = offset;
        this.total = total;
        this.left = left;
        this.right = right;
    }

    /**
     * Stacks the bases (entries may be null: adapters absent from the module take no columns) and computes both
     * Gram matrices.
     */
    public static StackedBases of(TaskBasis[] bases, int rows, int cols) {
        int[] offset = new int[bases.length];
        int total = 0;
        for (int i = 0; i < bases.length; i++) {
            offset[i] = total;
            if (bases[i] != null) {
                total += bases[i].rank();
            }
        }
        SymmetricGram left = new SymmetricGram(rows, total);
        for (int i = 0; i < bases.length; i++) {
            TaskBasis b = bases[i];
            if (b != null && b.rank() > 0) {
                left.setColumns(b.u(), b.rank(), offset[i]);
            }
        }
        double[] gu = left.compute();
        left = null; // the stacked bases are the largest arrays of the analysis; let them go before the next Gram
        SymmetricGram right = new SymmetricGram(cols, total);
        for (int i = 0; i < bases.length; i++) {
            TaskBasis b = bases[i];
            if (b != null && b.rank() > 0) {
                right.setColumns(b.v(), b.rank(), offset[i]);
            }
        }
        double[] gv = right.compute();
        return new StackedBases(bases.clone(), offset, total, gu, gv);
    }

    /** K = the sum of the ranks. */
    public int totalRank() {
        return total;
    }

    public TaskBasis basis(int adapter) {
        return bases[adapter];
    }

    /** Column offset of the adapter's block. */
    public int offset(int adapter) {
        return offset[adapter];
    }

    /** (U_aᵀU_b)[p, q]. */
    public double left(int a, int p, int b, int q) {
        return left[(offset[a] + p) * total + offset[b] + q];
    }

    /** (V_aᵀV_b)[p, q]. */
    public double right(int a, int p, int b, int q) {
        return right[(offset[a] + p) * total + offset[b] + q];
    }

    /** The whole left Gram [K, K] (shared, do not modify). */
    double[] leftGram() {
        return left;
    }

    /** The whole right Gram [K, K] (shared, do not modify). */
    double[] rightGram() {
        return right;
    }
}
