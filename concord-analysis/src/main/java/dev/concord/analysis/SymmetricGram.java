package dev.concord.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code G = XᵀX} for a tall row-major matrix X [d, K] in double precision: the one heavy step of the pairwise
 * analysis. X stacks the singular-vector bases of every adapter on one module side by side, so G holds every
 * cross product {@code U_aᵀU_b} at once; for 100 rank-16 adapters K is 1,600 and d up to 8,192, about 10¹⁰
 * multiply-adds per module, which is why this is written as a packed, register-tiled GEMM rather than as dot
 * products.
 *
 * <p>How: G is cut into square tiles; only tiles on or above the diagonal are computed (G is symmetric) and the
 * lower half is mirrored at the end. Each tile is one task (tasks run in parallel); it walks X in slices of
 * {@value #KC} rows, packs the two column strips it needs so that the inner loop reads memory contiguously, and
 * accumulates {@value #MR}×(2·lanes) blocks of G in vector registers with fused multiply-adds.
 *
 * <p>Every entry is summed over the rows of X in the same order whatever the number of threads or the tiling of
 * other entries, so results are reproducible bit for bit on one machine.
 */
public final class SymmetricGram {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of a register block. */
    static final int MR = 6;
    /** Columns of a register block: two vectors. */
    static final int NR = 2 * LANES;
    /** Rows of X per packed slice: two packed strips of TILE×KC doubles stay in the L2 cache. */
    static final int KC = 256;
    /** Side of a tile of G, a multiple of both MR and NR. */
    static final int TILE = lcmMultiple(MR, NR, 96);

    private SymmetricGram() {}

    /**
     * XᵀX, K×K row-major, for X given row-major with {@code d} rows and {@code k} columns.
     *
     * @throws IllegalArgumentException if the array does not hold d·k values
     */
    public static double[] of(double[] x, int d, int k) {
        if (d < 0 || k < 0 || (long) d * k != x.length) {
            throw new IllegalArgumentException("Gram of a [" + d + ", " + k + "] matrix given " + x.length + " values");
        }
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
        IntStream.range(0, tiles.size()).parallel().forEach(t -> tile(x, d, k, tiles.get(t)[0], tiles.get(t)[1], g));
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                g[i * k + j] = g[j * k + i];
            }
        }
        return g;
    }

    /** One tile G[i0 .. i0+TILE, j0 .. j0+TILE), written only on or above the diagonal. */
    private static void tile(double[] x, int d, int k, int i0, int j0, double[] g) {
        int mi = Math.min(TILE, k - i0);
        int nj = Math.min(TILE, k - j0);
        int mPad = roundUp(mi, MR);
        int nPad = roundUp(nj, NR);
        double[] acc = new double[mPad * nPad];
        double[] packA = new double[mPad * KC];
        double[] packB = new double[nPad * KC];
        for (int p0 = 0; p0 < d; p0 += KC) {
            int kc = Math.min(KC, d - p0);
            packStrips(x, k, p0, kc, i0, mi, MR, packA);
            packStrips(x, k, p0, kc, j0, nj, NR, packB);
            for (int jr = 0; jr < nPad; jr += NR) {
                for (int ir = 0; ir < mPad; ir += MR) {
                    if (i0 + ir > j0 + jr + NR - 1) {
                        continue; // the whole block lies below the diagonal
                    }
                    kernel(packA, ir * kc, packB, jr * kc, kc, acc, ir * nPad + jr, nPad);
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

    /**
     * Packs columns [c0, c0+count) of rows [p0, p0+kc) of X as consecutive strips of {@code width} columns: strip s
     * holds, for each row p, its {@code width} values, so the kernel walks it linearly. Columns past the end are 0.
     */
    private static void packStrips(double[] x, int k, int p0, int kc, int c0, int count, int width, double[] dst) {
        int strips = roundUp(count, width) / width;
        for (int s = 0; s < strips; s++) {
            int base = s * width * kc;
            int first = c0 + s * width;
            int valid = Math.min(width, c0 + count - first);
            for (int p = 0; p < kc; p++) {
                int src = (p0 + p) * k + first;
                int o = base + p * width;
                System.arraycopy(x, src, dst, o, valid);
                for (int c = valid; c < width; c++) {
                    dst[o + c] = 0;
                }
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
