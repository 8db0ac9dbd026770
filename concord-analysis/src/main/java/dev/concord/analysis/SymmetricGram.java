package dev.concord.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code G = XᵀX} for a tall matrix X [d, K] in double precision: the one heavy step of the pairwise analysis. X
 * stacks the singular-vector bases of every adapter on one module side by side, so G holds every cross product
 * {@code U_aᵀU_b} at once; for 100 rank-16 adapters K is 1,600 and d up to 8,192, about 10¹⁰ multiply-adds per
 * module, which is why this is written as a register-tiled GEMM rather than as dot products.
 *
 * <p>How: the columns of X are stored twice, already in the two "packed" layouts a GEMM kernel wants — strips of
 * {@value #MR} columns and strips of {@link #NR} columns, each strip holding its columns' values row after row — so
 * the inner loop streams contiguous memory and no tile ever repacks anything. G is cut into square tiles; only tiles
 * on or above the diagonal are computed (G is symmetric) and mirrored at the end. Tiles run in parallel; each walks
 * the rows in slices of {@value #KC} (so its strips stay in the L2 cache) and accumulates {@value #MR}×(2·lanes)
 * blocks of G in vector registers with fused multiply-adds.
 *
 * <p>Every entry is summed over the rows in the same order whatever the number of threads, so results are
 * reproducible bit for bit on one machine.
 */
public final class SymmetricGram {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of a register block. */
    static final int MR = 6;
    /** Columns of a register block: two vectors. */
    static final int NR = 2 * LANES;
    /** Rows of X per slice: a tile's strips of KC rows stay in the L2 cache. */
    static final int KC = 256;
    /** Side of a tile of G, a multiple of both MR and NR. */
    static final int TILE = lcmMultiple(MR, NR, 96);

    private final int d;
    private final int k;
    /** Columns in strips of MR: strip s holds rows 0..d of columns s·MR .. s·MR+MR, MR values per row. */
    private final double[] narrow;
    /** Columns in strips of NR. */
    private final double[] wide;

    /** An all-zero X [d, k] to be filled with {@link #setColumns}. */
    public SymmetricGram(int d, int k) {
        if (d < 0 || k < 0) {
            throw new IllegalArgumentException("negative shape [" + d + ", " + k + "]");
        }
        this.d = d;
        this.k = k;
        this.narrow = new double[Math.multiplyExact(roundUp(k, MR), d)];
        this.wide = new double[Math.multiplyExact(roundUp(k, NR), d)];
    }

    /** XᵀX, K×K row-major, for X given row-major with {@code d} rows and {@code k} columns. */
    public static double[] of(double[] x, int d, int k) {
        if ((long) d * k != x.length) {
            throw new IllegalArgumentException("Gram of a [" + d + ", " + k + "] matrix given " + x.length + " values");
        }
        SymmetricGram g = new SymmetricGram(d, k);
        g.setColumns(x, k, 0);
        return g.compute();
    }

    /**
     * Sets columns [first, first + width) of X from a row-major [d, width] block.
     */
    public void setColumns(double[] block, int width, int first) {
        if (first < 0 || first + width > k || (long) width * d != block.length) {
            throw new IllegalArgumentException("columns " + first + "+" + width + " of a [" + d + ", " + k
                    + "] matrix from " + block.length + " values");
        }
        int[] nBase = new int[width];
        int[] wBase = new int[width];
        for (int c = 0; c < width; c++) {
            int col = first + c;
            nBase[c] = (col / MR) * MR * d + col % MR;
            wBase[c] = (col / NR) * NR * d + col % NR;
        }
        // row by row: neighbouring columns land next to each other in both layouts
        for (int p = 0; p < d; p++) {
            int src = p * width;
            int nRow = p * MR;
            int wRow = p * NR;
            for (int c = 0; c < width; c++) {
                double v = block[src + c];
                narrow[nBase[c] + nRow] = v;
                wide[wBase[c] + wRow] = v;
            }
        }
    }

    /** XᵀX, K×K row-major. */
    public double[] compute() {
        double[] g = new double[k * k];
        if (k == 0 || d == 0) {
            return g;
        }
        List<int[]> tiles = new ArrayList<>();
        for (int i0 = 0; i0 < k; i0 += TILE) {
            for (int j0 = i0; j0 < k; j0 += TILE) {
                tiles.add(new int[] {i0, j0});
            }
        }
        IntStream.range(0, tiles.size()).parallel().forEach(t -> tile(tiles.get(t)[0], tiles.get(t)[1], g));
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                g[i * k + j] = g[j * k + i];
            }
        }
        return g;
    }

    /** One tile G[i0 .. i0+TILE, j0 .. j0+TILE), written only on or above the diagonal. */
    private void tile(int i0, int j0, double[] g) {
        int mi = Math.min(TILE, k - i0);
        int nj = Math.min(TILE, k - j0);
        int mPad = roundUp(mi, MR);
        int nPad = roundUp(nj, NR);
        double[] acc = new double[mPad * nPad];
        for (int p0 = 0; p0 < d; p0 += KC) {
            int kc = Math.min(KC, d - p0);
            for (int jr = 0; jr < nPad; jr += NR) {
                int bOff = ((j0 + jr) / NR) * NR * d + p0 * NR;
                for (int ir = 0; ir < mPad; ir += MR) {
                    if (i0 + ir > j0 + jr + NR - 1) {
                        continue; // the whole block lies below the diagonal
                    }
                    int aOff = ((i0 + ir) / MR) * MR * d + p0 * MR;
                    kernel(narrow, aOff, wide, bOff, kc, acc, ir * nPad + jr, nPad);
                }
            }
        }
        for (int i = 0; i < mi; i++) {
            int gi = i0 + i;
            for (int j = Math.max(0, gi - j0); j < nj; j++) {
                g[gi * k + j0 + j] = acc[i * nPad + j];
            }
        }
    }

    /** acc[MR × NR block at accOff] += Σ_p a[p, 0..MR) ⊗ b[p, 0..NR). */
    private static void kernel(double[] a, int aOff, double[] b, int bOff, int kc, double[] acc, int accOff, int ld) {
        DoubleVector c00 = DoubleVector.fromArray(SPECIES, acc, accOff);
        DoubleVector c01 = DoubleVector.fromArray(SPECIES, acc, accOff + LANES);
        DoubleVector c10 = DoubleVector.fromArray(SPECIES, acc, accOff + ld);
        DoubleVector c11 = DoubleVector.fromArray(SPECIES, acc, accOff + ld + LANES);
        DoubleVector c20 = DoubleVector.fromArray(SPECIES, acc, accOff + 2 * ld);
        DoubleVector c21 = DoubleVector.fromArray(SPECIES, acc, accOff + 2 * ld + LANES);
        DoubleVector c30 = DoubleVector.fromArray(SPECIES, acc, accOff + 3 * ld);
        DoubleVector c31 = DoubleVector.fromArray(SPECIES, acc, accOff + 3 * ld + LANES);
        DoubleVector c40 = DoubleVector.fromArray(SPECIES, acc, accOff + 4 * ld);
        DoubleVector c41 = DoubleVector.fromArray(SPECIES, acc, accOff + 4 * ld + LANES);
        DoubleVector c50 = DoubleVector.fromArray(SPECIES, acc, accOff + 5 * ld);
        DoubleVector c51 = DoubleVector.fromArray(SPECIES, acc, accOff + 5 * ld + LANES);
        int ao = aOff;
        int bo = bOff;
        for (int p = 0; p < kc; p++, ao += MR, bo += NR) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, b, bo);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, b, bo + LANES);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a[ao]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, a[ao + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, a[ao + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, a[ao + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            DoubleVector a4 = DoubleVector.broadcast(SPECIES, a[ao + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            DoubleVector a5 = DoubleVector.broadcast(SPECIES, a[ao + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
        }
        c00.intoArray(acc, accOff);
        c01.intoArray(acc, accOff + LANES);
        c10.intoArray(acc, accOff + ld);
        c11.intoArray(acc, accOff + ld + LANES);
        c20.intoArray(acc, accOff + 2 * ld);
        c21.intoArray(acc, accOff + 2 * ld + LANES);
        c30.intoArray(acc, accOff + 3 * ld);
        c31.intoArray(acc, accOff + 3 * ld + LANES);
        c40.intoArray(acc, accOff + 4 * ld);
        c41.intoArray(acc, accOff + 4 * ld + LANES);
        c50.intoArray(acc, accOff + 5 * ld);
        c51.intoArray(acc, accOff + 5 * ld + LANES);
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** The smallest multiple of lcm(a, b) that is at least {@code atLeast}. */
    private static int lcmMultiple(int a, int b, int atLeast) {
        int lcm = a / gcd(a, b) * b;
        return roundUp(Math.max(atLeast, lcm), lcm);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
