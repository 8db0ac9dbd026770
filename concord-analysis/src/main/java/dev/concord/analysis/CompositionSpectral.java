package dev.concord.analysis;

import dev.concord.tensor.linalg.DenseSvd;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The set-wise spectral quantities of one module, from the stacked Gram matrices alone (K×K work, K = Σ ranks):
 *
 * <ul>
 *   <li><b>TSV-Merge retention</b> (Gargiulo et al. 2025): keep the top {@code keep_i} singular triplets of each
 *       tau_i, {@code keep_i = min(r_i, max(1, ⌊min(rows, cols) / T⌋))} for T adapters on the module (all of them
 *       whenever the ranks fit side by side, which LoRA ranks almost always do); stack U = [U_1 … U_T], V likewise,
 *       with Σ = diag(w_i·Σ_i); replace U and V by their orthogonal polar factors U⊥, V⊥; merged = U⊥·Σ·V⊥ᵀ. Since
 *       U⊥ = U·(UᵀU)^(-1/2), {@code U⊥ᵀU_i = (UᵀU)^(-1/2)·UᵀU_i} is a product of Gram blocks, and so is
 *       {@code <merged, tau_i> = Σ_p σ_i,p [(V⊥ᵀV_i)ᵀ Σ (U⊥ᵀU_i)]_pp}.</li>
 *   <li><b>Alignment with the task-arithmetic merge</b> (the subspace alignment ratio of Iso-C, Marczak et al.
 *       2025): {@code ‖P_M tau_i‖²} where P_M projects onto the fewest leading left singular vectors of
 *       M = Σ_i w_i·tau_i that hold {@link TaskBasis#ALIGNMENT_ENERGY} of ‖M‖². M = U·D·Vᵀ with D = diag(w_i·Σ_i);
 *       with UᵀU = E_U Λ_U E_Uᵀ, an orthonormal basis of span(U) is Q = U·E_U·Λ_U^(-1/2), and M's SVD comes from the
 *       small core Λ_U^(1/2)·E_Uᵀ·D·E_V·Λ_V^(1/2).</li>
 * </ul>
 * Eigen- and singular-value decompositions of K×K matrices cost O(K³), so the analyzer calls this only while K
 * stays within {@link #MAX_TOTAL_RANK}.
 *
 * <p>The TSV rule (share, weights folded into σ, zero weights dropped) must stay the one of concord-merge's
 * {@code tsv} method, which forms the merged factors instead; TsvRetentionTest compares the two on every build.
 *
 * @param tsvDot {@code <merged_TSV, tau_i>} per adapter (0 for adapters absent from the module)
 * @param projectedOnMerge {@code ‖P_M tau_i‖²} per adapter
 */
public record CompositionSpectral(double[] tsvDot, double[] projectedOnMerge) {
    /** Largest Σ ranks on a module for which the K×K decompositions are run (a 16-adapter set of rank 16). */
    public static final int MAX_TOTAL_RANK = 256;
    /** Eigenvalues of a Gram at or below this fraction of the largest span no direction (rank deficiency). */
    private static final double GRAM_TOLERANCE = 1e-12;

    public static CompositionSpectral of(StackedBases s, double[] weights, int rows, int cols) {
        int n = weights.length;
        int present = 0;
        for (int i = 0; i < n; i++) {
            // as concord-merge's tsv, a task vector with weight 0 is no task: it takes no share of the dimension
            if (s.basis(i) != null && s.basis(i).rank() > 0 && weights[i] != 0) {
                present++;
            }
        }
        double[] tsv = new double[n];
        double[] projected = new double[n];
        if (present == 0) {
            return new CompositionSpectral(tsv, projected);
        }
        int perTask = Math.max(1, Math.min(rows, cols) / present);
        // columns kept by TSV, as global indices into the stacked bases, and their weighted σ
        int[] kept = new int[s.totalRank()];
        double[] keptSigma = new double[s.totalRank()];
        int kt = 0;
        int[] all = new int[s.totalRank()];
        double[] allSigma = new double[s.totalRank()];
        int ka = 0;
        for (int i = 0; i < n; i++) {
            TaskBasis b = s.basis(i);
            if (b == null) {
                continue;
            }
            int keep = weights[i] == 0 ? 0 : Math.min(b.rank(), perTask);
            for (int p = 0; p < b.rank(); p++) {
                double ws = weights[i] * b.sigma()[p];
                if (p < keep) {
                    kept[kt] = s.offset(i) + p;
                    keptSigma[kt++] = ws;
                }
                all[ka] = s.offset(i) + p;
                allSigma[ka++] = ws;
            }
        }
        int k = s.totalRank();
        double[] gu = s.leftGram();
        double[] gv = s.rightGram();
        // TSV: W = (U'ᵀU')^(-1/2) on the kept columns
        double[] wu = inverseSqrt(sub(gu, k, kept, kt), kt);
        double[] wv = inverseSqrt(sub(gv, k, kept, kt), kt);
        // merged task arithmetic: orthonormal coordinates of span(U) and span(V) and the core's SVD
        Eigen eu = Eigen.of(sub(gu, k, all, ka), ka);
        Eigen ev = Eigen.of(sub(gv, k, all, ka), ka);
        double[] core = new double[eu.size * ev.size];
        for (int a = 0; a < eu.size; a++) {
            for (int b = 0; b < ev.size; b++) {
                double sum = 0;
                for (int c = 0; c < ka; c++) {
                    sum += eu.vector(c, a) * allSigma[c] * ev.vector(c, b);
                }
                core[a * ev.size + b] = Math.sqrt(eu.values[a]) * sum * Math.sqrt(ev.values[b]);
            }
        }
        int keepMerged = 0;
        DMatrixRMaj x = null;
        if (eu.size > 0 && ev.size > 0) {
            DenseSvd svd = DenseSvd.of(new DMatrixRMaj(eu.size, ev.size, true, core));
            x = svd.u();
            keepMerged = energyRank(svd.sigma());
        }
        for (int i = 0; i < n; i++) {
            TaskBasis b = s.basis(i);
            if (b == null || b.rank() == 0) {
                continue;
            }
            int ki = b.rank();
            double[] sig = b.sigma();
            // U⊥ᵀU_i = W_U · G_U[kept, block i], likewise for V
            double[] ut = times(wu, kt, column(gu, k, kept, kt, s.offset(i), ki), ki);
            double[] vt = times(wv, kt, column(gv, k, kept, kt, s.offset(i), ki), ki);
            double dot = 0;
            for (int p = 0; p < ki; p++) {
                double e = 0;
                for (int c = 0; c < kt; c++) {
                    e += vt[c * ki + p] * keptSigma[c] * ut[c * ki + p];
                }
                dot += sig[p] * e;
            }
            tsv[i] = dot;
            if (x != null) {
                // QᵀU_i = Λ^(-1/2) E_Uᵀ G_U[all, block i]; then the first keepMerged columns of X
                double[] gi = column(gu, k, all, ka, s.offset(i), ki);
                double[] q = new double[eu.size * ki];
                for (int a = 0; a < eu.size; a++) {
                    double scale = 1 / Math.sqrt(eu.values[a]);
                    for (int p = 0; p < ki; p++) {
                        double sum = 0;
                        for (int c = 0; c < ka; c++) {
                            sum += eu.vector(c, a) * gi[c * ki + p];
                        }
                        q[a * ki + p] = scale * sum;
                    }
                }
                double proj = 0;
                for (int m = 0; m < keepMerged; m++) {
                    for (int p = 0; p < ki; p++) {
                        double sum = 0;
                        for (int a = 0; a < eu.size; a++) {
                            sum += x.get(a, m) * q[a * ki + p];
                        }
                        proj += sum * sum * sig[p] * sig[p];
                    }
                }
                projected[i] = proj;
            }
        }
        return new CompositionSpectral(tsv, projected);
    }

    static int energyRank(double[] sigma) {
        double total = 0;
        for (double v : sigma) {
            total += v * v;
        }
        if (total == 0) {
            return 0;
        }
        double s = 0;
        for (int i = 0; i < sigma.length; i++) {
            s += sigma[i] * sigma[i];
            if (s >= TaskBasis.ALIGNMENT_ENERGY * total) {
                return i + 1;
            }
        }
        return sigma.length;
    }

    /** G[idx, idx], m×m row-major. */
    private static double[] sub(double[] g, int k, int[] idx, int m) {
        double[] out = new double[m * m];
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                out[a * m + b] = g[idx[a] * k + idx[b]];
            }
        }
        return out;
    }

    /** G[idx, from .. from+width), m×width row-major. */
    private static double[] column(double[] g, int k, int[] idx, int m, int from, int width) {
        double[] out = new double[m * width];
        for (int a = 0; a < m; a++) {
            System.arraycopy(g, idx[a] * k + from, out, a * width, width);
        }
        return out;
    }

    /** (m×m) · (m×w). */
    private static double[] times(double[] a, int m, double[] b, int w) {
        double[] out = new double[m * w];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < m; c++) {
                double v = a[i * m + c];
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j < w; j++) {
                    out[i * w + j] += v * b[c * w + j];
                }
            }
        }
        return out;
    }

    /** G^(-1/2) on G's support (pseudo-inverse square root), m×m. */
    private static double[] inverseSqrt(double[] g, int m) {
        Eigen e = Eigen.of(g, m);
        double[] out = new double[m * m];
        for (int t = 0; t < e.size; t++) {
            double f = 1 / Math.sqrt(e.values[t]);
            for (int a = 0; a < m; a++) {
                double va = e.vector(a, t) * f;
                if (va == 0) {
                    continue;
                }
                for (int b = 0; b < m; b++) {
                    out[a * m + b] += va * e.vector(b, t);
                }
            }
        }
        return out;
    }

    /** Eigenpairs of a symmetric PSD matrix with eigenvalue above the tolerance; vectors as columns [m, size]. */
    private record Eigen(int m, int size, double[] values, double[] vectors) {
        double vector(int row, int t) {
            return vectors[row * size + t];
        }

        static Eigen of(double[] g, int m) {
            if (m == 0) {
                return new Eigen(0, 0, new double[0], new double[0]);
            }
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m, true, true);
            if (!eig.decompose(new DMatrixRMaj(m, m, true, g.clone()))) {
                throw new dev.concord.error.ConcordException("eigen-decomposition of a " + m + "x" + m
                        + " Gram matrix did not converge");
            }
            double max = 0;
            for (int t = 0; t < m; t++) {
                max = Math.max(max, eig.getEigenvalue(t).real);
            }
            int size = 0;
            double[] values = new double[m];
            double[] vectors = new double[m * m];
            for (int t = 0; t < m; t++) {
                double lambda = eig.getEigenvalue(t).real;
                if (lambda > GRAM_TOLERANCE * max && lambda > 0) {
                    values[size] = lambda;
                    DMatrixRMaj vec = eig.getEigenVector(t);
                    for (int a = 0; a < m; a++) {
                        vectors[a * m + size] = vec.get(a, 0);
                    }
                    size++;
                }
            }
            double[] packed = new double[m * size];
            for (int a = 0; a < m; a++) {
                System.arraycopy(vectors, a * m, packed, a * size, size);
            }
            return new Eigen(m, size, java.util.Arrays.copyOf(values, size), packed);
        }
    }
}
