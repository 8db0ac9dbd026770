package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;

import org.ejml.data.DMatrixRMaj;

/**
 * Thin Householder QR in double precision: A [m, n] = Q·R with Q [m, p] having orthonormal columns and
 * R [p, n] upper trapezoidal, p = min(m, n).
 *
 * <p>Why Householder rather than Gram–Schmidt or Cholesky-QR: Q is a product of reflections, so it stays
 * orthonormal to machine precision even when A is ill-conditioned or rank-deficient (LoRA factors after a gauge
 * change, power-iteration sketches whose columns all lean towards the top singular vector).
 *
 * <p>Columns are kept contiguous (column-major), so each reflection is a dot and an axpy over contiguous memory;
 * {@code LowRank} stores its factors that way precisely so that they can be handed over without a copy. The
 * factorization is recursive (Elmroth–Gustavson): the left half of the columns is factored, its reflections reach
 * the right half at once through their compact WY form, I − V·T·Vᵀ (Schreiber–Van Loan), as two blocked products,
 * then the right half is factored; only {@value #LEAF}-column leaves use single reflections. The T of the whole
 * factorization is assembled on the way up, so Q is applied the same way: "apply Q to q columns" is one multiply
 * rather than p·q separate reflections, and needs no second pass over the reflectors.
 */
public final class HouseholderQr {
    /** Panels this narrow are factored column by column; wider ones are split in two (recursively). */
    private static final int LEAF = 8;

    private final int m;
    private final int n;
    private final int p;
    /** p reflector vectors of length m; v_j is zero above row j and one at row j. */
    private final double[] reflectors;
    /** R, p×n row-major. */
    private final double[] r;
    /** T of the compact WY form (p×p upper triangular): Q = H_0⋯H_{p−1} = I − V·T·Vᵀ. */
    private final double[] wyT;

    private HouseholderQr(int m, int n, double[] reflectors, double[] r, double[] wyT) {
        this.m = m;
        this.n = n;
        this.p = Math.min(m, n);
        this.reflectors = reflectors;
        this.r = r;
        this.wyT = wyT;
    }

    /** Factors a (not modified). */
    public static HouseholderQr of(DMatrixRMaj a) {
        FiniteValues.require(a.data, a.numRows, a.numCols, "matrix to factor");
        return ofColumns(MatrixKernels.transpose(a.data, a.numRows, a.numCols), a.numRows, a.numCols);
    }

    /**
     * Factors the m×n matrix whose n columns are stored one after another in {@code columns} (length m each).
     * The array is used as workspace and destroyed. Inputs are assumed finite.
     */
    static HouseholderQr ofColumns(double[] columns, int m, int n) {
        int p = Math.min(m, n);
        double[] v = new double[p * m];
        double[] tau = new double[p];
        double[] r = new double[p * n];
        double[] t = p == 0 ? new double[0] : factorPanel(columns, m, n, 0, p, v, tau, r);
        if (p < n) {
            // a wide matrix: the columns beyond the last reflector get all of them at once
            updateColumns(columns, m, 0, p, n - p, v, t);
            copyRows(columns, m, n, 0, p, p, n, r);
        }
        return new HouseholderQr(m, n, v, r, t);
    }

    /** R's rows j0 … j1−1 in columns c0 … c1−1, final once every reflector above j1 has reached those columns. */
    private static void copyRows(double[] columns, int m, int n, int j0, int j1, int c0, int c1, double[] r) {
        for (int j = j0; j < j1; j++) {
            for (int c = c0; c < c1; c++) {
                r[j * n + c] = columns[c * m + j];
            }
        }
    }

    /**
     * Factors columns j0 … j0+jb−1 recursively (Elmroth–Gustavson) and returns the T of their compact WY form:
     * the left half, then its reflections applied to the right half as one blocked update, then the right half.
     * Only {@value #LEAF}-column leaves run as single reflections (dot + axpy over whole columns, which stream from
     * memory); the rest is blocked products. The two halves' T combine as
     * T = [[T₁, −T₁·(V₁ᵀV₂)·T₂], [0, T₂]], so the whole T, needed to apply Q later, costs only the cross products
     * V₁ᵀV₂ on top of the factorization instead of a second Gram product of all reflectors.
     */
    private static double[] factorPanel(double[] columns, int m, int n, int j0, int jb, double[] v, double[] tau,
                                        double[] r) {
        if (jb <= LEAF) {
            factorLeaf(columns, m, n, j0, jb, v, tau, r);
            return triangularFactor(v, j0 * m + j0, m, jb, m - j0, tau, j0);
        }
        int half = jb / 2;
        int rest = jb - half;
        double[] t1 = factorPanel(columns, m, n, j0, half, v, tau, r);
        updateColumns(columns, m, j0, half, rest, v, t1);
        copyRows(columns, m, n, j0, j0 + half, j0 + half, j0 + jb, r);
        double[] t2 = factorPanel(columns, m, n, j0 + half, rest, v, tau, r);
        // V₁ᵀV₂ over the rows where V₂ is not zero (from its first row, j0 + half, on)
        int j1 = j0 + half;
        double[] g = new double[half * rest];
        MatrixKernels.rowDots(v, j0 * m + j1, m, half, v, j1 * m + j1, m, rest, m - j1, g, 0, rest);
        double[] t = new double[jb * jb];
        for (int i = 0; i < half; i++) {
            System.arraycopy(t1, i * half, t, i * jb, half);
        }
        for (int i = 0; i < rest; i++) {
            System.arraycopy(t2, i * rest, t, (half + i) * jb + half, rest);
        }
        // upper-right block: −T₁·G·T₂, T₁ and T₂ upper triangular
        double[] gt2 = new double[half * rest];
        for (int i = 0; i < half; i++) {
            for (int l = 0; l < rest; l++) {
                double gil = g[i * rest + l];
                if (gil != 0) {
                    for (int c = l; c < rest; c++) {
                        gt2[i * rest + c] += gil * t2[l * rest + c];
                    }
                }
            }
        }
        for (int i = 0; i < half; i++) {
            for (int l = i; l < half; l++) {
                double til = t1[i * half + l];
                if (til != 0) {
                    for (int c = 0; c < rest; c++) {
                        t[i * jb + half + c] -= til * gt2[l * rest + c];
                    }
                }
            }
        }
        return t;
    }

    /** Reflectors j0 … j0+jb−1, each applied at once to the remaining columns of its own leaf (dot + axpy). */
    private static void factorLeaf(double[] columns, int m, int n, int j0, int jb, double[] v, double[] tau,
                                   double[] r) {
        int panelEnd = j0 + jb;
        for (int j = j0; j < panelEnd; j++) {
            int cj = j * m;
            int vj = j * m;
            int len = m - j;
            double alpha = columns[cj + j];
            double tail = MatrixKernels.dot(columns, cj + j + 1, columns, cj + j + 1, len - 1);
            double beta;
            double t;
            v[vj + j] = 1.0;
            if (tail == 0) {
                // Already upper triangular in this column: no reflection (LAPACK's convention, keeps R's sign).
                beta = alpha;
                t = 0;
            } else {
                double norm = Math.sqrt(alpha * alpha + tail);
                // Reflect onto −sign(α)·‖x‖ so that α − β never cancels.
                beta = alpha >= 0 ? -norm : norm;
                double inv = 1.0 / (alpha - beta);
                for (int i = j + 1; i < m; i++) {
                    v[vj + i] = columns[cj + i] * inv;
                }
                t = (beta - alpha) / beta;
            }
            tau[j] = t;
            r[j * n + j] = beta;
            for (int c = j + 1; c < panelEnd; c++) {
                int cc = c * m;
                if (t != 0) {
                    double w = MatrixKernels.dot(v, vj + j, columns, cc + j, len);
                    MatrixKernels.axpy(-t * w, v, vj + j, columns, cc + j, len);
                }
                r[j * n + c] = columns[cc + j];
            }
        }
    }

    /**
     * Applies the reflections H_{j0+jb−1}⋯H_{j0} = (I − V·T·Vᵀ)ᵀ to the {@code nt} columns right of them as two
     * cache-blocked multiplies, C −= V·(Tᵀ·(Vᵀ·C)), instead of jb sweeps over those columns.
     */
    private static void updateColumns(double[] columns, int m, int j0, int jb, int nt, double[] v, double[] t) {
        int c0 = j0 + jb;
        int len = m - j0;
        // Wᵀ = Cᵀ·V  [nt, jb], over rows j0…m−1 (the reflectors are zero above j0).
        double[] wt = new double[nt * jb];
        MatrixKernels.rowDots(columns, c0 * m + j0, m, nt, v, j0 * m + j0, m, jb, len, wt, 0, jb);
        // S = −(Tᵀ·W)ᵀ = −Wᵀ·T  [nt, jb], T upper triangular.
        double[] s = new double[nt * jb];
        for (int c = 0; c < nt; c++) {
            for (int l = 0; l < jb; l++) {
                double wcl = wt[c * jb + l];
                if (wcl != 0) {
                    for (int i = l; i < jb; i++) {
                        s[c * jb + i] -= wcl * t[l * jb + i];
                    }
                }
            }
        }
        // C_c += Σ_i S[c, i]·v_i
        MatrixKernels.mulAdd(s, 0, jb, 1, v, j0 * m + j0, m, columns, c0 * m + j0, m, nt, jb, len);
    }

    /**
     * T of the compact WY form for {@code count} consecutive reflectors (LAPACK's forward, columnwise dlarft):
     * H_0⋯H_{count−1} = I − V·T·Vᵀ, T upper triangular, T[j, j] = τ_j and
     * T[0:j, j] = −τ_j·T[0:j, 0:j]·(V[:, 0:j]ᵀ·v_j).
     */
    private static double[] triangularFactor(double[] v, int vOff, int vs, int count, int len, double[] tau,
                                             int tauOff) {
        double[] g = reflectorGram(v, vOff, vs, count, len);
        double[] t = new double[count * count];
        for (int j = 0; j < count; j++) {
            double tj = tau[tauOff + j];
            t[j * count + j] = tj;
            for (int i = 0; i < j; i++) {
                double sum = 0;
                for (int l = i; l < j; l++) {
                    sum += t[i * count + l] * g[l * count + j];
                }
                t[i * count + j] = -tj * sum;
            }
        }
        return t;
    }

    public int rows() {
        return m;
    }

    public int cols() {
        return n;
    }

    /** p = min(rows, cols): the number of columns of the thin Q and rows of R. */
    public int size() {
        return p;
    }

    /** R [p, n], upper trapezoidal (a fresh copy). */
    public DMatrixRMaj r() {
        return new DMatrixRMaj(p, n, true, r.clone());
    }

    /** R's row-major data without a copy, for this package. */
    double[] rData() {
        return r;
    }

    /** The thin Q [m, p] with orthonormal columns. */
    public DMatrixRMaj q() {
        double[] identity = new double[p * p];
        for (int i = 0; i < p; i++) {
            identity[i * p + i] = 1.0;
        }
        return new DMatrixRMaj(m, p, true, MatrixKernels.transpose(applyQToColumns(identity, p), p, m));
    }

    /** Q·X for X [p, q]: the result [m, q] without forming Q. */
    public DMatrixRMaj applyQ(DMatrixRMaj x) {
        if (x.numRows != p) {
            throw new InvalidInputException(
                    "Q of a QR with " + p + " columns cannot multiply a matrix with " + x.numRows + " rows");
        }
        double[] columns = MatrixKernels.transpose(x.data, x.numRows, x.numCols);
        double[] product = applyQToColumns(columns, x.numCols);
        return new DMatrixRMaj(m, x.numCols, true, MatrixKernels.transpose(product, x.numCols, m));
    }

    /**
     * Q·X where X's q columns (length p each) are stored one after another; returns the q result columns
     * (length m each) one after another. Q·X = X̂ − V·(T·(Vᵀ·X̂)) with X̂ = [X; 0].
     */
    double[] applyQToColumns(double[] x, int q) {
        double[] t = wyT;
        // Vᵀ·X̂ only sees the top p rows of V, because X̂ is zero below row p.
        double[] vtx = new double[p * q];
        MatrixKernels.gram(reflectors, 0, m, p, x, 0, p, q, p, vtx, 0, q);
        // S = −T·(VᵀX̂).
        double[] s = new double[p * q];
        MatrixKernels.mulAdd(t, 0, p, 1, vtx, 0, q, s, 0, q, p, p, q);
        for (int i = 0; i < s.length; i++) {
            s[i] = -s[i];
        }
        double[] out = new double[q * m];
        for (int c = 0; c < q; c++) {
            System.arraycopy(x, c * p, out, c * m, p);
        }
        // out_c += Σ_l S[l, c] · v_l
        MatrixKernels.mulAdd(s, 0, 1, q, reflectors, 0, m, out, 0, m, q, p, m);
        return out;
    }

    /** VᵀV of a leaf's reflectors (a few of them), all the T recurrence reads. */
    private static double[] reflectorGram(double[] v, int vOff, int vs, int count, int len) {
        double[] g = new double[count * count];
        MatrixKernels.rowDots(v, vOff, vs, count, v, vOff, vs, count, len, g, 0, count);
        return g;
    }
}
