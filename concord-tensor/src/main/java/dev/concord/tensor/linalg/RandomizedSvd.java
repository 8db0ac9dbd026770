package dev.concord.tensor.linalg;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;

/**
 * Rank-R truncated SVD of a large dense matrix that is only available as a {@link RowBlockSource}, by randomized
 * subspace iteration (Halko, Martinsson &amp; Tropp 2011, "Finding structure with randomness", Alg. 4.4 applied to
 * the row space). Never forms or decomposes anything larger than [max(rows, cols), l] with l = R + oversampling.
 *
 * <p>The row space is sketched because row blocks make that cheap: for a block X_i of rows, both X_i·W and
 * X_iᵀ·(X_i·W) are available while the block is in hand, so one pass over the data applies AᵀA to the sketch.
 * <ol>
 *   <li>W₀ = Ω, a seeded Gaussian [cols, l].</li>
 *   <li>{@code powerIterations} times: one pass computes Z = Aᵀ(A·W); W = orth(Z) by Householder QR
 *       (re-orthonormalising after every pass keeps the small singular directions from being washed out).</li>
 *   <li>A last pass computes Y = A·W [rows, l]. Then A ≈ Y·Wᵀ; with Y = Q·R and R = X·Σ·Zᵀ (a small dense SVD),
 *       U = Q·X and V = W·Z.</li>
 * </ol>
 * The sketch spans (AᵀA)^q·Ω, so each singular value enters with exponent 2q (HMT's q' power iterations reach
 * 2q'+1 with one more multiply). Total: q + 1 passes and 2q + 1 multiplies by A or Aᵀ.
 *
 * <p>The exact ‖A‖²_F is accumulated during the passes, so the reported retained energy is exact for the returned
 * factors: they are A projected onto an orthonormal row basis, hence ‖A − A_R‖² = ‖A‖² − Σσ².
 *
 * <p>Deterministic: the same seed, shape and data give bit-identical results run after run, before and after JIT
 * warm-up, whatever the block sizes of the source up to rounding. The sketch width is rounded to a fixed quantum,
 * not to the SIMD width, so machines with other vector widths differ only in rounding. Single-threaded.
 */
public final class RandomizedSvd {
    public static final int DEFAULT_OVERSAMPLING = 10;
    public static final int DEFAULT_POWER_ITERATIONS = 2;
    /** Sketch widths are rounded up to a multiple of this; the extra columns only add oversampling. */
    static final int SKETCH_WIDTH_QUANTUM = 8;
    /** Rows converted to double and multiplied at a time, whatever the source's block size. */
    private static final int SUB_BLOCK_ROWS = 128;
    /** Relative disagreement of ‖A‖² between passes beyond which the source is judged non-deterministic. */
    private static final double PASS_CONSISTENCY = 1e-9;

    private final int targetRank;
    private final int oversampling;
    private final int powerIterations;
    private final long seed;

    /**
     * @param targetRank      R, the rank of the returned factors (fewer if the matrix is smaller or has lower rank)
     * @param oversampling    extra sketch columns beyond R (HMT recommend 5–10)
     * @param powerIterations q ≥ 1 passes applying AᵀA (see class comment)
     * @param seed            seed of the Gaussian test matrix
     */
    public RandomizedSvd(int targetRank, int oversampling, int powerIterations, long seed) {
        if (targetRank < 0) {
            throw new InvalidInputException("randomized SVD target rank must be >= 0, got " + targetRank);
        }
        if (oversampling < 0) {
            throw new InvalidInputException("randomized SVD oversampling must be >= 0, got " + oversampling);
        }
        if (powerIterations < 1) {
            throw new InvalidInputException("randomized SVD needs at least 1 power iteration, got " + powerIterations);
        }
        this.targetRank = targetRank;
        this.oversampling = oversampling;
        this.powerIterations = powerIterations;
        this.seed = seed;
    }

    /** Rank R with default oversampling and power iterations. */
    public static RandomizedSvd ofRank(int targetRank, long seed) {
        return new RandomizedSvd(targetRank, DEFAULT_OVERSAMPLING, DEFAULT_POWER_ITERATIONS, seed);
    }

    /** Number of passes over the source that {@link #compute} makes. */
    public int passes() {
        return powerIterations + 1;
    }

    /** The sketch width l used for a [rows, cols] matrix. */
    public int sketchWidth(int rows, int cols) {
        int r = Math.min(targetRank, Math.min(rows, cols));
        if (r == 0) {
            return 0;
        }
        int wanted = r + oversampling;
        int rounded = (wanted + SKETCH_WIDTH_QUANTUM - 1) / SKETCH_WIDTH_QUANTUM * SKETCH_WIDTH_QUANTUM;
        return Math.min(rounded, Math.min(rows, cols));
    }

    public RankTruncation compute(RowBlockSource source) {
        int m = source.rows();
        int n = source.cols();
        if (m < 0 || n < 0) {
            throw new InvalidInputException("row block source has negative shape [" + m + ", " + n + "]");
        }
        int l = sketchWidth(m, n);
        if (l == 0) {
            Pass only = new Pass(m, n, 0, null, false, false);
            source.forEachBlock(only);
            only.checkCovered();
            return new RankTruncation(new LowRankSvd(m, n, new double[0], new double[0], new double[0]),
                    only.energy, only.energy);
        }
        requireArray((long) n * l, "sketch of " + n + " x " + l);
        requireArray((long) m * l, "sample of " + m + " x " + l);

        double[] w = gaussian(n, l);
        double[] wColumns = null;
        double energy = -1;
        for (int it = 0; it < powerIterations; it++) {
            Pass pass = new Pass(m, n, l, w, true, false);
            source.forEachBlock(pass);
            pass.checkCovered();
            energy = checkConsistent(energy, pass.energy, it + 1);
            HouseholderQr qr = HouseholderQr.ofColumns(MatrixKernels.transpose(pass.z, n, l), n, l);
            wColumns = qr.applyQToColumns(identity(l), l);
            w = MatrixKernels.transpose(wColumns, l, n);
        }
        Pass last = new Pass(m, n, l, w, false, true);
        source.forEachBlock(last);
        last.checkCovered();
        energy = checkConsistent(energy, last.energy, powerIterations + 1);
        if (energy == 0) {
            return new RankTruncation(new LowRankSvd(m, n, new double[0], new double[0], new double[0]), 0, 0);
        }

        // A ≈ Y·Wᵀ, Y = Q·R, R = X·Σ·Zᵀ  ⇒  U = Q·X, V = W·Z.
        HouseholderQr qy = HouseholderQr.ofColumns(MatrixKernels.transpose(last.y, m, l), m, l);
        DenseSvd small = DenseSvd.of(new DMatrixRMaj(l, l, true, qy.rData().clone()));
        double[] sigma = small.sigma();
        int r = Math.min(targetRank, l);
        int kept = 0;
        while (kept < r && sigma[kept] > LowRank.DEFAULT_RANK_TOLERANCE * sigma[0]) {
            kept++;
        }
        DMatrixRMaj x = small.u();
        double[] xColumns = new double[kept * l];
        for (int c = 0; c < kept; c++) {
            for (int i = 0; i < l; i++) {
                xColumns[c * l + i] = x.data[i * l + c];
            }
        }
        double[] u = qy.applyQToColumns(xColumns, kept);
        // V row t = Σ_j Z[j, t]·W[:, j], and Z[j, t] is row t, entry j of Zᵀ.
        double[] zt = small.vt().data;
        double[] v = new double[kept * n];
        MatrixKernels.mulAdd(zt, 0, l, 1, wColumns, 0, n, v, 0, n, kept, l, n);
        double[] keptSigma = Arrays.copyOf(sigma, kept);
        double keptEnergy = 0;
        for (int i = kept - 1; i >= 0; i--) {
            keptEnergy += keptSigma[i] * keptSigma[i];
        }
        return new RankTruncation(new LowRankSvd(m, n, u, keptSigma, v), energy,
                Math.max(0.0, energy - keptEnergy));
    }

    private double[] gaussian(int n, int l) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] g = new double[n * l];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
        }
        return g;
    }

    private static double[] identity(int l) {
        double[] id = new double[l * l];
        for (int i = 0; i < l; i++) {
            id[i * l + i] = 1.0;
        }
        return id;
    }

    private static double checkConsistent(double previous, double current, int pass) {
        if (previous >= 0 && Math.abs(current - previous) > PASS_CONSISTENCY * Math.max(previous, current)) {
            throw new ConcordException("row block source delivered different data in pass " + pass
                    + " (squared Frobenius norm " + current + ", earlier " + previous
                    + "); it must produce the same matrix on every pass");
        }
        return previous >= 0 ? previous : current;
    }

    private static void requireArray(long size, String what) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new ResourceException("randomized SVD " + what + " needs " + size * Double.BYTES
                    + " bytes in one array, more than Java allows; lower the target rank", null);
        }
    }

    /**
     * One pass over the source: for every block X_i, Y_i = X_i·W; optionally Z += X_iᵀ·Y_i (power iteration)
     * or Y_i kept (last pass); always ‖X_i‖² for the exact norm.
     */
    private static final class Pass implements RowBlockSource.BlockConsumer {
        private final int m;
        private final int n;
        private final int l;
        private final double[] w;
        private final double[] z;
        private final double[] y;
        private final boolean[] seen;
        private int covered;
        private double energy;
        private double[] xb;
        private double[] yb;

        Pass(int m, int n, int l, double[] w, boolean accumulateZ, boolean keepY) {
            this.m = m;
            this.n = n;
            this.l = l;
            this.w = w;
            this.z = accumulateZ ? new double[n * l] : null;
            this.y = keepY ? new double[m * l] : null;
            this.seen = new boolean[m];
        }

        @Override
        public void accept(int rowStart, FloatMatrix block) {
            if (block == null) {
                throw new InvalidInputException("row block source delivered no block at row " + rowStart);
            }
            int br = block.rows();
            if (block.cols() != n) {
                throw new InvalidInputException("row block at row " + rowStart + " has " + block.cols()
                        + " columns, the source declares " + n);
            }
            if (rowStart < 0 || (long) rowStart + br > m) {
                throw new InvalidInputException("row block [" + rowStart + ", " + ((long) rowStart + br)
                        + ") lies outside the " + m + " rows of the source");
            }
            for (int r = rowStart; r < rowStart + br; r++) {
                if (seen[r]) {
                    throw new InvalidInputException("row block source delivered row " + r + " twice in one pass");
                }
                seen[r] = true;
            }
            covered += br;
            float[] data = block.data();
            for (int s0 = 0; s0 < br; s0 += SUB_BLOCK_ROWS) {
                int sr = Math.min(SUB_BLOCK_ROWS, br - s0);
                multiplySubBlock(data, s0, sr, rowStart);
            }
        }

        private void multiplySubBlock(float[] data, int s0, int sr, int rowStart) {
            if (xb == null) {
                xb = new double[Math.min(SUB_BLOCK_ROWS, m) * n];
                yb = new double[Math.min(SUB_BLOCK_ROWS, m) * l];
            }
            int base = s0 * n;
            int count = sr * n;
            for (int i = 0; i < count; i++) {
                xb[i] = data[base + i];
            }
            // One vectorised sum of squares doubles as the finiteness check: NaN or ±∞ anywhere makes it non-finite.
            double e = MatrixKernels.dot(xb, 0, xb, 0, count);
            if (!Double.isFinite(e)) {
                for (int i = 0; i < count; i++) {
                    if (!Float.isFinite(data[base + i])) {
                        throw new InvalidInputException("row block source has a non-finite value " + data[base + i]
                                + " at [" + (rowStart + s0 + i / n) + ", " + i % n + "]");
                    }
                }
            }
            energy += e;
            if (l == 0) {
                return;
            }
            Arrays.fill(yb, 0, sr * l, 0.0);
            MatrixKernels.mulAdd(xb, 0, n, 1, w, 0, l, yb, 0, l, sr, n, l);
            if (z != null) {
                MatrixKernels.mulAdd(xb, 0, 1, n, yb, 0, l, z, 0, l, n, sr, l);
            }
            if (y != null) {
                System.arraycopy(yb, 0, y, (rowStart + s0) * l, sr * l);
            }
        }

        void checkCovered() {
            if (covered != m) {
                throw new InvalidInputException("row block source covered " + covered + " of its " + m + " rows");
            }
        }
    }
}
