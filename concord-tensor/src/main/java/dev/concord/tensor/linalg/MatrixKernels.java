package dev.concord.tensor.linalg;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double-precision inner loops of this package: dot, axpy, a strided multiply-add and a Gram (X·Yᵀ) product,
 * the latter also as tiled dot products ({@link #rowDots}) for a few long rows.
 * Every heavy step (QR, applying Q, densifying, the randomized sketch) funnels through these few loops, so they
 * are written once, with the Vector API, register tiling and cache blocking, and tested against naive loops.
 *
 * <p>Results do not depend on the machine's SIMD width beyond floating-point summation order.
 */
final class MatrixKernels {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Depth (k) of one cache block of B in {@link #mulAdd}: KC × NC doubles stay in L2. */
    static final int KC = 256;
    /** Width (n) of one cache block of B in {@link #mulAdd}. */
    static final int NC = 256;
    /** Length of the row chunks {@link #rowDots} works through: 8 KB per row, so dozens of rows fit in L2. */
    static final int DOT_CHUNK = 1024;

    private MatrixKernels() {
    }

    static double dot(double[] x, int xOff, double[] y, int yOff, int n) {
        DoubleVector acc0 = DoubleVector.zero(SPECIES);
        DoubleVector acc1 = DoubleVector.zero(SPECIES);
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            acc0 = DoubleVector.fromArray(SPECIES, x, xOff + i)
                    .fma(DoubleVector.fromArray(SPECIES, y, yOff + i), acc0);
            acc1 = DoubleVector.fromArray(SPECIES, x, xOff + i + LANES)
                    .fma(DoubleVector.fromArray(SPECIES, y, yOff + i + LANES), acc1);
        }
        for (; i <= n - LANES; i += LANES) {
            acc0 = DoubleVector.fromArray(SPECIES, x, xOff + i)
                    .fma(DoubleVector.fromArray(SPECIES, y, yOff + i), acc0);
        }
        double s = sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    /**
     * The lanes summed in index order. Not {@code reduceLanes(ADD)}: its order is unspecified and in practice
     * differs between interpreted and JIT-compiled code, so the same call could give different bits before and
     * after warm-up, breaking reproducibility.
     */
    private static double sumLanes(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < LANES; i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** y[yOff + i] += alpha · x[xOff + i] for i &lt; n. */
    static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        if (alpha == 0) {
            return;
        }
        DoubleVector a = DoubleVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            DoubleVector.fromArray(SPECIES, x, xOff + i)
                    .fma(a, DoubleVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /**
     * C += A·B where A is read through strides (so A or Aᵀ can be used without copying) and B, C are row-major
     * with unit column stride: {@code c[cOff + i·cs + j] += Σ_p a[aOff + i·ai + p·ap] · b[bOff + p·bs + j]}
     * for i &lt; m, p &lt; k, j &lt; n. B is visited in KC×NC blocks so that each block is reused from cache by
     * all rows of C.
     */
    static void mulAdd(double[] a, int aOff, int ai, int ap,
                       double[] b, int bOff, int bs,
                       double[] c, int cOff, int cs,
                       int m, int k, int n) {
        for (int pc = 0; pc < k; pc += KC) {
            int kb = Math.min(KC, k - pc);
            for (int jc = 0; jc < n; jc += NC) {
                int nb = Math.min(NC, n - jc);
                mulAddBlock(a, aOff + pc * ap, ai, ap, b, bOff + pc * bs + jc, bs, c, cOff + jc, cs, m, kb, nb);
            }
        }
    }

    private static void mulAddBlock(double[] a, int aOff, int ai, int ap,
                                    double[] b, int bOff, int bs,
                                    double[] c, int cOff, int cs,
                                    int m, int k, int n) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            int a0 = aOff + i * ai;
            int c0 = cOff + i * cs;
            int j = 0;
            for (; j + 2 * LANES <= n; j += 2 * LANES) {
                eightRowsTwoVectors(a, a0, ai, ap, b, bOff + j, bs, c, c0 + j, cs, k);
            }
            if (j < n) {
                // Column tail: two 4-row passes over the remaining columns.
                mulAddFourRowTail(a, a0, ai, ap, b, bOff, bs, c, c0, cs, k, j, n);
                mulAddFourRowTail(a, a0 + 4 * ai, ai, ap, b, bOff, bs, c, c0 + 4 * cs, cs, k, j, n);
            }
        }
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * ai;
            int c0 = cOff + i * cs;
            int j = 0;
            for (; j + 2 * LANES <= n; j += 2 * LANES) {
                fourRowsTwoVectors(a, a0, ai, ap, b, bOff + j, bs, c, c0 + j, cs, k);
            }
            mulAddFourRowTail(a, a0, ai, ap, b, bOff, bs, c, c0, cs, k, j, n);
        }
        for (; i < m; i++) {
            int a0 = aOff + i * ai;
            int c0 = cOff + i * cs;
            for (int p = 0, ao = a0, bo = bOff; p < k; p++, ao += ap, bo += bs) {
                axpy(a[ao], b, bo, c, c0, n);
            }
        }
    }

    /** Columns j … n−1 of four rows: one-vector strips, then scalars. */
    private static void mulAddFourRowTail(double[] a, int a0, int ai, int ap, double[] b, int bOff, int bs,
                                          double[] c, int c0, int cs, int k, int j, int n) {
        for (; j + LANES <= n; j += LANES) {
            fourRowsOneVector(a, a0, ai, ap, b, bOff + j, bs, c, c0 + j, cs, k);
        }
        for (; j < n; j++) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int p = 0, ao = a0, bo = bOff + j; p < k; p++, ao += ap, bo += bs) {
                double bv = b[bo];
                s0 += a[ao] * bv;
                s1 += a[ao + ai] * bv;
                s2 += a[ao + 2 * ai] * bv;
                s3 += a[ao + 3 * ai] * bv;
            }
            c[c0 + j] += s0;
            c[c0 + cs + j] += s1;
            c[c0 + 2 * cs + j] += s2;
            c[c0 + 3 * cs + j] += s3;
        }
    }

    private static void eightRowsTwoVectors(double[] a, int a0, int ai, int ap, double[] b, int bOff, int bs,
                                            double[] c, int c0, int cs, int k) {
        DoubleVector c00 = DoubleVector.fromArray(SPECIES, c, c0);
        DoubleVector c01 = DoubleVector.fromArray(SPECIES, c, c0 + LANES);
        DoubleVector c10 = DoubleVector.fromArray(SPECIES, c, c0 + cs);
        DoubleVector c11 = DoubleVector.fromArray(SPECIES, c, c0 + cs + LANES);
        DoubleVector c20 = DoubleVector.fromArray(SPECIES, c, c0 + 2 * cs);
        DoubleVector c21 = DoubleVector.fromArray(SPECIES, c, c0 + 2 * cs + LANES);
        DoubleVector c30 = DoubleVector.fromArray(SPECIES, c, c0 + 3 * cs);
        DoubleVector c31 = DoubleVector.fromArray(SPECIES, c, c0 + 3 * cs + LANES);
        DoubleVector c40 = DoubleVector.fromArray(SPECIES, c, c0 + 4 * cs);
        DoubleVector c41 = DoubleVector.fromArray(SPECIES, c, c0 + 4 * cs + LANES);
        DoubleVector c50 = DoubleVector.fromArray(SPECIES, c, c0 + 5 * cs);
        DoubleVector c51 = DoubleVector.fromArray(SPECIES, c, c0 + 5 * cs + LANES);
        DoubleVector c60 = DoubleVector.fromArray(SPECIES, c, c0 + 6 * cs);
        DoubleVector c61 = DoubleVector.fromArray(SPECIES, c, c0 + 6 * cs + LANES);
        DoubleVector c70 = DoubleVector.fromArray(SPECIES, c, c0 + 7 * cs);
        DoubleVector c71 = DoubleVector.fromArray(SPECIES, c, c0 + 7 * cs + LANES);
        for (int p = 0, ao = a0, bo = bOff; p < k; p++, ao += ap, bo += bs) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, b, bo);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, b, bo + LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = DoubleVector.broadcast(SPECIES, a[ao + ai]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = DoubleVector.broadcast(SPECIES, a[ao + 2 * ai]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = DoubleVector.broadcast(SPECIES, a[ao + 3 * ai]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = DoubleVector.broadcast(SPECIES, a[ao + 4 * ai]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = DoubleVector.broadcast(SPECIES, a[ao + 5 * ai]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = DoubleVector.broadcast(SPECIES, a[ao + 6 * ai]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = DoubleVector.broadcast(SPECIES, a[ao + 7 * ai]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + cs);
        c11.intoArray(c, c0 + cs + LANES);
        c20.intoArray(c, c0 + 2 * cs);
        c21.intoArray(c, c0 + 2 * cs + LANES);
        c30.intoArray(c, c0 + 3 * cs);
        c31.intoArray(c, c0 + 3 * cs + LANES);
        c40.intoArray(c, c0 + 4 * cs);
        c41.intoArray(c, c0 + 4 * cs + LANES);
        c50.intoArray(c, c0 + 5 * cs);
        c51.intoArray(c, c0 + 5 * cs + LANES);
        c60.intoArray(c, c0 + 6 * cs);
        c61.intoArray(c, c0 + 6 * cs + LANES);
        c70.intoArray(c, c0 + 7 * cs);
        c71.intoArray(c, c0 + 7 * cs + LANES);
    }

    private static void fourRowsTwoVectors(double[] a, int a0, int ai, int ap, double[] b, int bOff, int bs,
                                           double[] c, int c0, int cs, int k) {
        DoubleVector c00 = DoubleVector.fromArray(SPECIES, c, c0);
        DoubleVector c01 = DoubleVector.fromArray(SPECIES, c, c0 + LANES);
        DoubleVector c10 = DoubleVector.fromArray(SPECIES, c, c0 + cs);
        DoubleVector c11 = DoubleVector.fromArray(SPECIES, c, c0 + cs + LANES);
        DoubleVector c20 = DoubleVector.fromArray(SPECIES, c, c0 + 2 * cs);
        DoubleVector c21 = DoubleVector.fromArray(SPECIES, c, c0 + 2 * cs + LANES);
        DoubleVector c30 = DoubleVector.fromArray(SPECIES, c, c0 + 3 * cs);
        DoubleVector c31 = DoubleVector.fromArray(SPECIES, c, c0 + 3 * cs + LANES);
        for (int p = 0, ao = a0, bo = bOff; p < k; p++, ao += ap, bo += bs) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, b, bo);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, b, bo + LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = DoubleVector.broadcast(SPECIES, a[ao + ai]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = DoubleVector.broadcast(SPECIES, a[ao + 2 * ai]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = DoubleVector.broadcast(SPECIES, a[ao + 3 * ai]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + cs);
        c11.intoArray(c, c0 + cs + LANES);
        c20.intoArray(c, c0 + 2 * cs);
        c21.intoArray(c, c0 + 2 * cs + LANES);
        c30.intoArray(c, c0 + 3 * cs);
        c31.intoArray(c, c0 + 3 * cs + LANES);
    }

    private static void fourRowsOneVector(double[] a, int a0, int ai, int ap, double[] b, int bOff, int bs,
                                          double[] c, int c0, int cs, int k) {
        DoubleVector c0v = DoubleVector.fromArray(SPECIES, c, c0);
        DoubleVector c1v = DoubleVector.fromArray(SPECIES, c, c0 + cs);
        DoubleVector c2v = DoubleVector.fromArray(SPECIES, c, c0 + 2 * cs);
        DoubleVector c3v = DoubleVector.fromArray(SPECIES, c, c0 + 3 * cs);
        for (int p = 0, ao = a0, bo = bOff; p < k; p++, ao += ap, bo += bs) {
            DoubleVector bv = DoubleVector.fromArray(SPECIES, b, bo);
            c0v = bv.fma(DoubleVector.broadcast(SPECIES, a[ao]), c0v);
            c1v = bv.fma(DoubleVector.broadcast(SPECIES, a[ao + ai]), c1v);
            c2v = bv.fma(DoubleVector.broadcast(SPECIES, a[ao + 2 * ai]), c2v);
            c3v = bv.fma(DoubleVector.broadcast(SPECIES, a[ao + 3 * ai]), c3v);
        }
        c0v.intoArray(c, c0);
        c1v.intoArray(c, c0 + cs);
        c2v.intoArray(c, c0 + 2 * cs);
        c3v.intoArray(c, c0 + 3 * cs);
    }

    /**
     * G = X·Yᵀ for row sets X (a rows) and Y (b rows) of common length len:
     * {@code g[gOff + i·gs + j] = Σ_t x[xOff + i·xs + t] · y[yOff + j·ys + t]}. Overwrites G. Used for
     * Gram matrices of factor columns, where len is a model dimension (thousands) and a, b are ranks.
     *
     * <p>Y is transposed once (len×b, cheap next to the a·b·len multiply-adds) so that the product runs through
     * {@link #mulAdd}, vectorised over Y's rows with no horizontal reductions.
     */
    static void gram(double[] x, int xOff, int xs, int a,
                     double[] y, int yOff, int ys, int b,
                     int len, double[] g, int gOff, int gs) {
        for (int i = 0; i < a; i++) {
            Arrays.fill(g, gOff + i * gs, gOff + i * gs + b, 0.0);
        }
        if (a == 0 || b == 0 || len == 0) {
            return;
        }
        double[] yt = new double[len * b];
        transposeInto(y, yOff, ys, b, len, yt);
        mulAdd(x, xOff, xs, 1, yt, 0, b, g, gOff, gs, a, len, b);
    }

    /**
     * The same product as {@link #gram} computed as dot products, for long rows and few of them (a reflector panel
     * against the columns it updates): tiles of four X rows by two Y rows keep eight vector accumulators, each
     * loaded vector feeds two or four FMAs, and nothing is transposed. The rows are walked in chunks of
     * {@value #DOT_CHUNK} so that all of them stay in cache while every tile passes over them. Lanes are summed in
     * a fixed order once per chunk and entry, so the result does not depend on JIT state.
     */
    static void rowDots(double[] x, int xOff, int xs, int a,
                        double[] y, int yOff, int ys, int b,
                        int len, double[] g, int gOff, int gs) {
        for (int i = 0; i < a; i++) {
            Arrays.fill(g, gOff + i * gs, gOff + i * gs + b, 0.0);
        }
        // Chunks of the rows small enough that every row's chunk stays in cache while all tiles visit it.
        for (int t0 = 0; t0 < len; t0 += DOT_CHUNK) {
            int tl = Math.min(DOT_CHUNK, len - t0);
            int i = 0;
            for (; i + 4 <= a; i += 4) {
                int j = 0;
                for (; j + 2 <= b; j += 2) {
                    fourByTwoDots(x, xOff + i * xs + t0, xs, y, yOff + j * ys + t0, ys, tl, g, gOff + i * gs + j, gs);
                }
                for (; j < b; j++) {
                    for (int r = 0; r < 4; r++) {
                        g[gOff + (i + r) * gs + j] += dot(x, xOff + (i + r) * xs + t0, y, yOff + j * ys + t0, tl);
                    }
                }
            }
            for (; i < a; i++) {
                for (int j = 0; j < b; j++) {
                    g[gOff + i * gs + j] += dot(x, xOff + i * xs + t0, y, yOff + j * ys + t0, tl);
                }
            }
        }
    }

    private static void fourByTwoDots(double[] x, int x0, int xs, double[] y, int y0, int ys, int len,
                                      double[] g, int g0, int gs) {
        DoubleVector s00 = DoubleVector.zero(SPECIES);
        DoubleVector s01 = DoubleVector.zero(SPECIES);
        DoubleVector s10 = DoubleVector.zero(SPECIES);
        DoubleVector s11 = DoubleVector.zero(SPECIES);
        DoubleVector s20 = DoubleVector.zero(SPECIES);
        DoubleVector s21 = DoubleVector.zero(SPECIES);
        DoubleVector s30 = DoubleVector.zero(SPECIES);
        DoubleVector s31 = DoubleVector.zero(SPECIES);
        int t = 0;
        for (; t <= len - LANES; t += LANES) {
            DoubleVector y0v = DoubleVector.fromArray(SPECIES, y, y0 + t);
            DoubleVector y1v = DoubleVector.fromArray(SPECIES, y, y0 + ys + t);
            DoubleVector xv = DoubleVector.fromArray(SPECIES, x, x0 + t);
            s00 = xv.fma(y0v, s00);
            s01 = xv.fma(y1v, s01);
            xv = DoubleVector.fromArray(SPECIES, x, x0 + xs + t);
            s10 = xv.fma(y0v, s10);
            s11 = xv.fma(y1v, s11);
            xv = DoubleVector.fromArray(SPECIES, x, x0 + 2 * xs + t);
            s20 = xv.fma(y0v, s20);
            s21 = xv.fma(y1v, s21);
            xv = DoubleVector.fromArray(SPECIES, x, x0 + 3 * xs + t);
            s30 = xv.fma(y0v, s30);
            s31 = xv.fma(y1v, s31);
        }
        double[] out = {sumLanes(s00), sumLanes(s01), sumLanes(s10), sumLanes(s11), sumLanes(s20), sumLanes(s21),
            sumLanes(s30), sumLanes(s31)};
        for (; t < len; t++) {
            double ya = y[y0 + t];
            double yb = y[y0 + ys + t];
            for (int r = 0; r < 4; r++) {
                double xv = x[x0 + r * xs + t];
                out[2 * r] += xv * ya;
                out[2 * r + 1] += xv * yb;
            }
        }
        for (int r = 0; r < 4; r++) {
            g[g0 + r * gs] += out[2 * r];
            g[g0 + r * gs + 1] += out[2 * r + 1];
        }
    }

    /** Returns the transpose of a row-major rows×cols array (a new cols×rows array). */
    static double[] transpose(double[] src, int rows, int cols) {
        double[] dst = new double[src.length];
        transposeInto(src, 0, cols, rows, cols, dst);
        return dst;
    }

    /**
     * dst[c·rows + r] = src[off + r·stride + c] for r &lt; rows, c &lt; cols, in small square tiles so that both
     * the reads and the strided writes stay within a few cache lines at a time.
     */
    static void transposeInto(double[] src, int off, int stride, int rows, int cols, double[] dst) {
        final int tile = 16;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int c = c0; c < c1; c++) {
                    int d = c * rows;
                    for (int r = r0; r < r1; r++) {
                        dst[d + r] = src[off + r * stride + c];
                    }
                }
            }
        }
    }
}
