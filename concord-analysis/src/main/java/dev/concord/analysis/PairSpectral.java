package dev.concord.analysis;

/**
 * The factor-level metrics of one pair of adapters on one module they both target, read off the blocks
 * {@code X = U_aᵀU_b} and {@code Y = V_aᵀV_b} of the stacked Gram matrices (no dense update is ever formed):
 *
 * @param inner {@code <tau_a, tau_b>_F = Σ_pq σ_a,p X_pq σ_b,q Y_pq}
 * @param overlapColumns {@code ‖Q_aᵀQ_b‖²_F / min(r_a, r_b)} over the numerical-rank column bases (NaN when either
 *     update is zero)
 * @param overlapRows the same for the row spaces (the inputs each adapter reacts to)
 * @param projectedAinB {@code ‖P_b tau_a‖²_F}, P_b the projector onto the dominant column subspace of tau_b (its
 *     {@link TaskBasis#energyRank() energy rank})
 * @param projectedBinA {@code ‖P_a tau_b‖²_F}
 * @param tsvInterference {@code ‖(UᵀU − I) Σ (VᵀV − I)‖₁} of TSV (Gargiulo et al. 2025) for U = [U_a U_b],
 *     Σ = diag(Σ_a, Σ_b), V = [V_a V_b], the entry-wise L1 norm; since U_aᵀU_a = I the product is block diagonal
 *     and equals {@code ‖X Σ_b Yᵀ‖₁ + ‖Xᵀ Σ_a Y‖₁}
 */
public record PairSpectral(double inner, double overlapColumns, double overlapRows, double projectedAinB,
        double projectedBinA, double tsvInterference) {

    public static PairSpectral of(StackedBases s, int a, int b) {
        TaskBasis ba = s.basis(a);
        TaskBasis bb = s.basis(b);
        int ka = ba.rank();
        int kb = bb.rank();
        double[] sa = ba.sigma();
        double[] sb = bb.sigma();
        // local copies of the two k_a×k_b blocks keep the loops below on contiguous memory
        double[] x = new double[ka * kb];
        double[] y = new double[ka * kb];
        for (int p = 0; p < ka; p++) {
            for (int q = 0; q < kb; q++) {
                x[p * kb + q] = s.left(a, p, b, q);
                y[p * kb + q] = s.right(a, p, b, q);
            }
        }
        double inner = 0;
        for (int p = 0; p < ka; p++) {
            double row = 0;
            for (int q = 0; q < kb; q++) {
                row += x[p * kb + q] * sb[q] * y[p * kb + q];
            }
            inner += sa[p] * row;
        }
        return new PairSpectral(inner,
                overlap(x, kb, ba.numericalRank(), bb.numericalRank()),
                overlap(y, kb, ba.numericalRank(), bb.numericalRank()),
                projectedRowsOnto(x, kb, sa, bb.energyRank()),
                projectedColumnsOnto(x, kb, sb, ba.energyRank()),
                interference(x, y, ka, kb, sa, sb));
    }

    /** ‖(block restricted to r_a×r_b)‖² / min(r_a, r_b). */
    private static double overlap(double[] block, int kb, int ra, int rb) {
        if (ra == 0 || rb == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int p = 0; p < ra; p++) {
            for (int q = 0; q < rb; q++) {
                double v = block[p * kb + q];
                sum += v * v;
            }
        }
        // ‖Q_aᵀQ_b‖² never exceeds min(r_a, r_b); rounding may push it a hair above
        return Math.min(1.0, sum / Math.min(ra, rb));
    }

    /** ‖P_b tau_a‖² = Σ_p σ_a,p² Σ_{q < keep} X[p,q]², P_b spanned by the first {@code keep} columns of U_b. */
    private static double projectedRowsOnto(double[] x, int kb, double[] sa, int keep) {
        double sum = 0;
        for (int p = 0; p < sa.length; p++) {
            double c = 0;
            for (int q = 0; q < keep; q++) {
                c += x[p * kb + q] * x[p * kb + q];
            }
            sum += c * sa[p] * sa[p];
        }
        return sum;
    }

    /** ‖P_a tau_b‖² = Σ_q σ_b,q² Σ_{p < keep} X[p,q]². */
    private static double projectedColumnsOnto(double[] x, int kb, double[] sb, int keep) {
        double sum = 0;
        for (int q = 0; q < kb; q++) {
            double c = 0;
            for (int p = 0; p < keep; p++) {
                c += x[p * kb + q] * x[p * kb + q];
            }
            sum += c * sb[q] * sb[q];
        }
        return sum;
    }

    private static double interference(double[] x, double[] y, int ka, int kb, double[] sa, double[] sb) {
        double total = 0;
        // ‖X Σ_b Yᵀ‖₁: entry (p, p') = Σ_q X[p,q] σ_b,q Y[p',q]
        double[] xs = new double[kb];
        for (int p = 0; p < ka; p++) {
            for (int q = 0; q < kb; q++) {
                xs[q] = x[p * kb + q] * sb[q];
            }
            for (int p2 = 0; p2 < ka; p2++) {
                double e = 0;
                for (int q = 0; q < kb; q++) {
                    e += xs[q] * y[p2 * kb + q];
                }
                total += Math.abs(e);
            }
        }
        // ‖Xᵀ Σ_a Y‖₁: entry (q, q') = Σ_p X[p,q] σ_a,p Y[p,q']
        double[] row = new double[kb];
        for (int q = 0; q < kb; q++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < ka; p++) {
                double c = x[p * kb + q] * sa[p];
                if (c == 0) {
                    continue;
                }
                for (int q2 = 0; q2 < kb; q2++) {
                    row[q2] += c * y[p * kb + q2];
                }
            }
            for (double v : row) {
                total += Math.abs(v);
            }
        }
        return total;
    }
}
