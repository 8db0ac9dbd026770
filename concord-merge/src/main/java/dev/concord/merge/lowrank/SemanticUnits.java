package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.error.InvalidInputException;
import java.util.List;

/**
 * The "minimal semantic units" of LoRA-LEGO on one module: every adapter's update split into its rank-one terms,
 * w_i·s_i·B_i·A_i = Σ_j (w_i·s_i)·b_ij·a_ijᵀ, with b_ij column j of B_i and a_ij row j of A_i.
 *
 * <p>A rank-one term b·aᵀ is the same for every (c·b, a/c), so the raw factors are not a faithful coordinate for
 * clustering: an adapter trained with a larger A and smaller B would look unlike an identical update. Each unit
 * is therefore stored in the balanced gauge: with σ = |w·s|·‖b‖·‖a‖ (= ‖unit‖_F), b′ = sign(w·s)·√σ·b/‖b‖ and
 * a′ = √σ·a/‖a‖, so that b′·a′ᵀ is the unit exactly and ‖b′‖ = ‖a′‖ = √σ. The one freedom left, (b′, a′) versus
 * (−b′, −a′), is handled by the sign-invariant clustering. Units that are zero (a zero weight, factor or row) are
 * left out: they contribute nothing and would only drag centroids towards 0.
 */
final class SemanticUnits {
    private final int rows;
    private final int cols;
    /** b′ of each unit, length rows. */
    private final double[][] left;
    /** a′ of each unit, length cols. */
    private final double[][] right;
    /** σ = ‖b′·a′ᵀ‖_F of each unit. */
    private final double[] energy;
    private final int adapters;

    private SemanticUnits(int rows, int cols, double[][] left, double[][] right, double[] energy, int adapters) {
        this.rows = rows;
        this.cols = cols;
        this.left = left;
        this.right = right;
        this.energy = energy;
        this.adapters = adapters;
    }

    /**
     * @param taus    one entry per input adapter, null where it does not target the module
     * @param weights w_i per adapter
     * @param module  the module's name, for errors
     */
    static SemanticUnits of(List<TaskVector> taus, double[] weights, int rows, int cols, String module) {
        java.util.ArrayList<double[]> bs = new java.util.ArrayList<>();
        java.util.ArrayList<double[]> as = new java.util.ArrayList<>();
        java.util.ArrayList<Double> sigmas = new java.util.ArrayList<>();
        int contributing = 0;
        for (int i = 0; i < taus.size(); i++) {
            TaskVector t = taus.get(i);
            if (t == null) {
                continue;
            }
            double c = weights[i] * t.scale();
            int r = t.rank();
            float[] b = t.left().data();
            float[] a = t.right().data();
            boolean any = false;
            for (int j = 0; j < r; j++) {
                double[] bj = new double[rows];
                double[] aj = new double[cols];
                for (int q = 0; q < rows; q++) {
                    bj[q] = b[q * r + j];
                }
                for (int q = 0; q < cols; q++) {
                    aj[q] = a[j * cols + q];
                }
                double nb = norm(bj);
                double na = norm(aj);
                double sigma = Math.abs(c) * nb * na;
                if (!Double.isFinite(sigma)) {
                    throw new InvalidInputException("rank-one term " + j + " of adapter " + i + " on module " + module
                            + " has no finite norm (weight " + weights[i] + ", scale " + t.scale() + ")");
                }
                if (sigma == 0) {
                    continue;
                }
                double root = Math.sqrt(sigma);
                scale(bj, Math.copySign(root / nb, c));
                scale(aj, root / na);
                bs.add(bj);
                as.add(aj);
                sigmas.add(sigma);
                any = true;
            }
            if (any) {
                contributing++;
            }
        }
        double[] energy = sigmas.stream().mapToDouble(Double::doubleValue).toArray();
        return new SemanticUnits(rows, cols, bs.toArray(double[][]::new), as.toArray(double[][]::new), energy,
                contributing);
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    int count() {
        return energy.length;
    }

    /** How many adapters contributed at least one unit. */
    int adapters() {
        return adapters;
    }

    /** b′ of unit m (shared; do not modify). */
    double[] left(int m) {
        return left[m];
    }

    /** a′ of unit m (shared; do not modify). */
    double[] right(int m) {
        return right[m];
    }

    /** ‖unit m‖_F = ‖b′‖·‖a′‖. */
    double energy(int m) {
        return energy[m];
    }

    /** G[m][m′] = ⟨[a′_m; b′_m], [a′_m′; b′_m′]⟩: the clustering's whole view of the units. */
    double[][] gram() {
        int n = count();
        double[][] g = new double[n][n];
        for (int m = 0; m < n; m++) {
            for (int q = m; q < n; q++) {
                double v = dot(left[m], left[q]) + dot(right[m], right[q]);
                g[m][q] = v;
                g[q][m] = v;
            }
        }
        return g;
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    static void scale(double[] x, double f) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= f;
        }
    }
}
