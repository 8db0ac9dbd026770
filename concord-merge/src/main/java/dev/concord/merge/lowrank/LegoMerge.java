package dev.concord.merge.lowrank;

import dev.concord.merge.ops.MaskRandom;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA-LEGO's assembly (Zhao et al., "Merging LoRAs like Playing LEGO", ICLR 2025) of one module from its
 * {@link SemanticUnits}: cluster the n units into k groups ({@link SignInvariantKMeans}), merge each group into
 * its centroid unit, correct the centroids' scale, and concatenate them into a rank-k update.
 *
 * <p>For cluster C_j with members m (sign-aligned by s_m): b̄_j = mean s_m·b′_m, ā_j = mean s_m·a′_m, and
 * ρ_j = mean √σ_m (every member has ‖b′_m‖ = ‖a′_m‖ = √σ_m).
 * <ul>
 *   <li>Parameter re-weighting (the paper's fix for "norm decay": a mean of vectors that do not point the same
 *       way is shorter than they are): b_j = ρ_j·b̄_j/‖b̄_j‖ and a_j = ρ_j·ā_j/‖ā_j‖, so the merged unit's factors
 *       are as long as its members' on average. Without it, b_j = b̄_j and a_j = ā_j.</li>
 *   <li>Output re-weighting (the paper's fix for "variance expansion": an output Δ·x sums one term per unit,
 *       so its variance grows with the number of units): one factor γ on every unit so that the merged update's
 *       expected output energy for isotropic inputs, Σ_j ‖b_j‖²·‖a_j‖² when units are taken as uncorrelated,
 *       equals that of one average input adapter, (1/T)·Σ_m σ_m² (T = adapters contributing units). With equal
 *       units this is γ = √(r/k) for T rank-r adapters merged into rank k. γ is split as √γ on each factor.</li>
 * </ul>
 * The merged update is Σ_j b_j·a_jᵀ; clusters whose mean cancels to zero are dropped. With k ≥ n every unit is
 * its own cluster, and without re-weighting the result is Σ_i w_i·τ_i exactly.
 */
final class LegoMerge {
    private LegoMerge() {}

    /** The merged factors: {@code left} [rows, k′] (b_j as columns) and {@code right} [k′, cols] (a_j as rows). */
    record Factors(FloatMatrix left, FloatMatrix right) {}

    static Factors merge(SemanticUnits units, int k, Reweighting reweighting, MaskRandom rng) {
        int n = units.count();
        int rows = units.rows();
        int cols = units.cols();
        SignInvariantKMeans.Clustering c = k >= n
                ? SignInvariantKMeans.Clustering.identity(n)
                : SignInvariantKMeans.run(units.gram(), k, rng);
        List<double[]> bs = new ArrayList<>();
        List<double[]> as = new ArrayList<>();
        for (int j = 0; j < c.k(); j++) {
            double[] b = new double[rows];
            double[] a = new double[cols];
            int size = 0;
            double rootSum = 0;
            for (int m = 0; m < n; m++) {
                if (c.cluster()[m] != j) {
                    continue;
                }
                size++;
                rootSum += Math.sqrt(units.energy(m));
                axpy(c.sign()[m], units.left(m), b);
                axpy(c.sign()[m], units.right(m), a);
            }
            if (size == 0) {
                continue;
            }
            SemanticUnits.scale(b, 1.0 / size);
            SemanticUnits.scale(a, 1.0 / size);
            double nb = SemanticUnits.norm(b);
            double na = SemanticUnits.norm(a);
            if (nb == 0 || na == 0) {
                continue;
            }
            if (reweighting.parameter) {
                double rho = rootSum / size;
                SemanticUnits.scale(b, rho / nb);
                SemanticUnits.scale(a, rho / na);
            }
            bs.add(b);
            as.add(a);
        }
        if (reweighting.output && !bs.isEmpty()) {
            double target = 0;
            for (int m = 0; m < n; m++) {
                target += units.energy(m) * units.energy(m);
            }
            target /= units.adapters();
            double have = 0;
            for (int j = 0; j < bs.size(); j++) {
                double e = SemanticUnits.norm(bs.get(j)) * SemanticUnits.norm(as.get(j));
                have += e * e;
            }
            double half = Math.sqrt(Math.sqrt(target / have));
            for (int j = 0; j < bs.size(); j++) {
                SemanticUnits.scale(bs.get(j), half);
                SemanticUnits.scale(as.get(j), half);
            }
        }
        int kept = bs.size();
        float[] left = new float[rows * kept];
        float[] right = new float[kept * cols];
        for (int j = 0; j < kept; j++) {
            double[] b = bs.get(j);
            double[] a = as.get(j);
            for (int i = 0; i < rows; i++) {
                left[i * kept + j] = (float) b[i];
            }
            for (int q = 0; q < cols; q++) {
                right[j * cols + q] = (float) a[q];
            }
        }
        return new Factors(new FloatMatrix(rows, kept, left), new FloatMatrix(kept, cols, right));
    }

    private static void axpy(double s, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += s * x[i];
        }
    }
}
