package dev.concord.analysis;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.TaskVector;
import dev.concord.merge.DenseRows;
import dev.concord.merge.ops.MaskRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The analysis metrics computed the slow, obvious way: dense task vectors, full dense SVDs, sorting for top-k,
 * and a loop over positions that runs TIES as PEFT writes it. The oracle for {@link ConflictAnalyzer}.
 */
final class DenseReference {
    final List<LoraAdapter> adapters;
    final double density;
    final long seed;
    final double[] weights;
    final List<String> modules;

    DenseReference(List<LoraAdapter> adapters, double density, long seed, double[] weights) {
        this.adapters = adapters;
        this.density = density;
        this.seed = seed;
        this.weights = weights;
        TreeSet<String> names = new TreeSet<>();
        adapters.forEach(a -> names.addAll(a.moduleNames()));
        this.modules = new ArrayList<>(names);
    }

    TaskVector tau(int i, String module) {
        return adapters.get(i).module(module).map(LoraModule::taskVector).orElse(null);
    }

    /** tau in double, row-major. */
    static double[] dense(TaskVector t) {
        int rows = t.rows();
        int cols = t.cols();
        int k = t.rank();
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) t.left().get(i, p) * t.right().get(p, j);
                }
                out[i * cols + j] = t.scale() * s;
            }
        }
        return out;
    }

    /** tau as the merge engine densifies it (float32), the values the trims are taken on. */
    static float[] denseFloat(TaskVector t) {
        float[] out = new float[t.rows() * t.cols()];
        DenseRows.of(t, 0, t.rows(), out, 0);
        return out;
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    double energy(int i) {
        double s = 0;
        for (String m : modules) {
            TaskVector t = tau(i, m);
            if (t != null) {
                double[] d = dense(t);
                s += dot(d, d);
            }
        }
        return s;
    }

    double inner(int a, int b) {
        double s = 0;
        for (String m : modules) {
            TaskVector ta = tau(a, m);
            TaskVector tb = tau(b, m);
            if (ta != null && tb != null) {
                s += dot(dense(ta), dense(tb));
            }
        }
        return s;
    }

    double cosine(int a, int b) {
        return inner(a, b) / Math.sqrt(energy(a) * energy(b));
    }

    /** Full SVD of a dense matrix: {U [rows, p] row-major, σ, V [cols, p] row-major}, p = min(rows, cols). */
    static Object[] svd(double[] m, int rows, int cols) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, true, true, true);
        svd.decompose(new DMatrixRMaj(rows, cols, true, m.clone()));
        double[] s = svd.getSingularValues();
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj v = svd.getV(null, false);
        int p = Math.min(rows, cols);
        Integer[] order = IntStream.range(0, p).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s[i]));
        double[] sigma = new double[p];
        double[] uu = new double[rows * p];
        double[] vv = new double[cols * p];
        for (int c = 0; c < p; c++) {
            int src = order[c];
            sigma[c] = s[src];
            for (int i = 0; i < rows; i++) {
                uu[i * p + c] = u.get(i, src);
            }
            for (int j = 0; j < cols; j++) {
                vv[j * p + c] = v.get(j, src);
            }
        }
        return new Object[] {uu, sigma, vv};
    }

    static int countAbove(double[] sigma, double rel) {
        int r = 0;
        while (r < sigma.length && sigma[r] > rel * sigma[0]) {
            r++;
        }
        return r;
    }

    /** ‖Q_aᵀQ_b‖² over the first ra / rb columns of two [d, p] bases. */
    static double crossEnergy(double[] qa, int pa, int ra, double[] qb, int pb, int rb, int d) {
        double s = 0;
        for (int x = 0; x < ra; x++) {
            for (int y = 0; y < rb; y++) {
                double c = 0;
                for (int i = 0; i < d; i++) {
                    c += qa[i * pa + x] * qb[i * pb + y];
                }
                s += c * c;
            }
        }
        return s;
    }

    /** {mean column overlap, mean row overlap} over shared modules. */
    double[] overlaps(int a, int b) {
        double col = 0;
        double row = 0;
        int count = 0;
        for (String m : modules) {
            TaskVector ta = tau(a, m);
            TaskVector tb = tau(b, m);
            if (ta == null || tb == null) {
                continue;
            }
            int rows = ta.rows();
            int cols = ta.cols();
            Object[] sa = svd(dense(ta), rows, cols);
            Object[] sb = svd(dense(tb), rows, cols);
            int p = Math.min(rows, cols);
            int ra = countAbove((double[]) sa[1], 1e-6);
            int rb = countAbove((double[]) sb[1], 1e-6);
            col += crossEnergy((double[]) sa[0], p, ra, (double[]) sb[0], p, rb, rows) / Math.min(ra, rb);
            row += crossEnergy((double[]) sa[2], p, ra, (double[]) sb[2], p, rb, cols) / Math.min(ra, rb);
            count++;
        }
        return new double[] {col / count, row / count};
    }

    /** sqrt(Σ_m ‖P_b tau_a‖² / ‖tau_a‖²), P_b onto the 95%-energy leading left singular vectors of tau_b. */
    double alignment(int a, int b) {
        double proj = 0;
        for (String m : modules) {
            TaskVector ta = tau(a, m);
            TaskVector tb = tau(b, m);
            if (ta == null || tb == null) {
                continue;
            }
            int rows = ta.rows();
            int cols = ta.cols();
            Object[] sb = svd(dense(tb), rows, cols);
            double[] sigma = (double[]) sb[1];
            double total = 0;
            for (double s : sigma) {
                total += s * s;
            }
            int keep = 0;
            double acc = 0;
            while (acc < 0.95 * total) {
                acc += sigma[keep] * sigma[keep];
                keep++;
            }
            int p = Math.min(rows, cols);
            double[] u = (double[]) sb[0];
            double[] da = dense(ta);
            for (int c = 0; c < keep; c++) {
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) {
                        s += u[i * p + c] * da[i * cols + j];
                    }
                    proj += s * s;
                }
            }
        }
        return Math.sqrt(proj / energy(a));
    }

    /** TSV's ‖(UᵀU − I)Σ(VᵀV − I)‖₁ for the pair, summed over shared modules, from dense SVDs. */
    double tsvInterference(int a, int b) {
        double total = 0;
        for (String m : modules) {
            TaskVector ta = tau(a, m);
            TaskVector tb = tau(b, m);
            if (ta == null || tb == null) {
                continue;
            }
            int rows = ta.rows();
            int cols = ta.cols();
            int p = Math.min(rows, cols);
            Object[] sa = svd(dense(ta), rows, cols);
            Object[] sb = svd(dense(tb), rows, cols);
            int ka = countAbove((double[]) sa[1], 1e-10);
            int kb = countAbove((double[]) sb[1], 1e-10);
            int k = ka + kb;
            double[][] u = new double[rows][k];
            double[][] v = new double[cols][k];
            double[] sig = new double[k];
            for (int c = 0; c < k; c++) {
                Object[] s = c < ka ? sa : sb;
                int cc = c < ka ? c : c - ka;
                sig[c] = ((double[]) s[1])[cc];
                for (int i = 0; i < rows; i++) {
                    u[i][c] = ((double[]) s[0])[i * p + cc];
                }
                for (int j = 0; j < cols; j++) {
                    v[j][c] = ((double[]) s[2])[j * p + cc];
                }
            }
            double[][] gu = gramMinusIdentity(u, k);
            double[][] gv = gramMinusIdentity(v, k);
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    double e = 0;
                    for (int z = 0; z < k; z++) {
                        e += gu[x][z] * sig[z] * gv[z][y];
                    }
                    total += Math.abs(e);
                }
            }
        }
        return total;
    }

    private static double[][] gramMinusIdentity(double[][] x, int k) {
        double[][] g = new double[k][k];
        for (double[] row : x) {
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    g[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < k; a++) {
            g[a][a] -= 1;
        }
        return g;
    }

    /** The top-k = int(density·n) magnitude trim, ties broken towards the lower index. */
    float[] trim(float[] v) {
        int n = v.length;
        long k = (long) (density * (double) n);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (x, y) -> {
            int c = Float.compare(Math.abs(v[y]), Math.abs(v[x]));
            return c != 0 ? c : Integer.compare(x, y);
        });
        float[] out = new float[n];
        for (int i = 0; i < k; i++) {
            out[order[i]] = v[order[i]];
        }
        return out;
    }

    float[] dare(float[] v, String module, int adapter) {
        MaskRandom r = MaskRandom.of(seed, MaskRandom.STREAM_DARE, module, adapter);
        float s = (float) (1.0 / density);
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = r.keep(j, density) ? v[j] * s : 0f;
        }
        return out;
    }

    /** Element-wise results: pair rate, weighted rate, pair discarded; set agreement, discarded; TIES/DARE retention. */
    record Elementwise(double[][] rate, double[][] weighted, double[][] pairDiscarded, double agreement,
            double discarded, double[] ties, double[] dareTies) {}

    Elementwise elementwise() {
        int n = adapters.size();
        double[][] opp = new double[n][n];
        double[][] both = new double[n][n];
        double[][] oppMin = new double[n][n];
        double[][] min = new double[n][n];
        double[][] massPair = new double[n][n];
        double multi = 0;
        double agree = 0;
        double disc = 0;
        double mass = 0;
        double[] tiesDot = new double[n];
        double[] dareDot = new double[n];
        for (String m : modules) {
            float[][] v = new float[n][];
            float[][] t = new float[n][];
            float[][] d = new float[n][];
            int len = 0;
            for (int i = 0; i < n; i++) {
                TaskVector tv = tau(i, m);
                if (tv != null) {
                    v[i] = denseFloat(tv);
                    t[i] = trim(v[i]);
                    d[i] = dare(v[i], m, i);
                    len = v[i].length;
                }
            }
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    if (t[a] == null && t[b] == null) {
                        continue;
                    }
                    for (int j = 0; j < len; j++) {
                        float x = t[a] == null ? 0 : t[a][j];
                        float y = t[b] == null ? 0 : t[b][j];
                        massPair[a][b] += Math.abs(x) + Math.abs(y);
                        if (x != 0 && y != 0) {
                            double mn = Math.min(Math.abs(x), Math.abs(y));
                            both[a][b]++;
                            min[a][b] += mn;
                            if ((x > 0) != (y > 0)) {
                                opp[a][b]++;
                                oppMin[a][b] += mn;
                            }
                        }
                    }
                }
            }
            for (int j = 0; j < len; j++) {
                double sum = 0;
                int nz = 0;
                int pos = 0;
                for (int i = 0; i < n; i++) {
                    if (t[i] != null && t[i][j] != 0) {
                        sum += t[i][j];
                        nz++;
                        pos += t[i][j] > 0 ? 1 : 0;
                        mass += Math.abs(t[i][j]);
                    }
                }
                boolean plus = sum >= 0;
                for (int i = 0; i < n; i++) {
                    if (t[i] != null && (plus ? t[i][j] < 0 : t[i][j] > 0)) {
                        disc += Math.abs(t[i][j]);
                    }
                }
                if (nz >= 2) {
                    multi++;
                    if (pos == 0 || pos == nz) {
                        agree++;
                    }
                }
                double tm = peftTies(t, j);
                double dm = peftTies(d, j);
                for (int i = 0; i < n; i++) {
                    if (v[i] != null) {
                        tiesDot[i] += tm * v[i][j];
                        dareDot[i] += dm * v[i][j];
                    }
                }
            }
        }
        double[][] rate = new double[n][n];
        double[][] weighted = new double[n][n];
        double[][] pd = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                rate[a][b] = opp[a][b] / both[a][b];
                weighted[a][b] = oppMin[a][b] / min[a][b];
                pd[a][b] = oppMin[a][b] / massPair[a][b];
            }
        }
        double[] ties = new double[n];
        double[] dt = new double[n];
        for (int i = 0; i < n; i++) {
            ties[i] = tiesDot[i] / energy(i);
            dt[i] = dareDot[i] / energy(i);
        }
        return new Elementwise(rate, weighted, pd, agree / multi, disc / mass, ties, dt);
    }

    /** PEFT's ties at one position: sign of the sum, unweighted; weighted sum of agreeing entries over their count. */
    private double peftTies(float[][] stack, int j) {
        double sum = 0;
        for (float[] s : stack) {
            if (s != null) {
                sum += s[j];
            }
        }
        boolean plus = sum >= 0;
        double acc = 0;
        int count = 0;
        for (int i = 0; i < stack.length; i++) {
            float[] s = stack[i];
            if (s != null && (plus ? s[j] > 0 : s[j] < 0)) {
                acc += weights[i] * s[j];
                count++;
            }
        }
        return (float) (acc / Math.max(1, count));
    }
}
