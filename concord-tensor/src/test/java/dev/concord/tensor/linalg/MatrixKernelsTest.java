package dev.concord.tensor.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The vectorised, tiled kernels agree with the obvious triple loops, including all tails and cache-block edges. */
class MatrixKernelsTest {

    @Property(tries = 200)
    void mulAddMatchesNaiveLoopsForEveryOrientation(@ForAll @IntRange(min = 0, max = 13) int m,
                                                    @ForAll @IntRange(min = 0, max = 40) int k,
                                                    @ForAll @IntRange(min = 0, max = 37) int n,
                                                    @ForAll boolean transposedA, @ForAll long seed) {
        checkMulAdd(m, k, n, transposedA, seed);
    }

    @Test
    void mulAddCrossesCacheBlockBoundaries() {
        // k and n beyond KC and NC, m not a multiple of the 4-row tile.
        checkMulAdd(7, MatrixKernels.KC * 2 + 3, MatrixKernels.NC + 21, false, 1);
        checkMulAdd(6, MatrixKernels.KC + 1, MatrixKernels.NC * 2 + 5, true, 2);
    }

    private static void checkMulAdd(int m, int k, int n, boolean transposedA, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int aOff = random.nextInt(3);
        int bOff = random.nextInt(3);
        int cOff = random.nextInt(3);
        int bs = n + random.nextInt(3);
        int cs = n + random.nextInt(3);
        // A stored row-major (ai = k, ap = 1) or as Aᵀ (ai = 1, ap = m) inside a padded array.
        int ai = transposedA ? 1 : k;
        int ap = transposedA ? m : 1;
        double[] a = randomArray(random, aOff + m * k + 2);
        double[] b = randomArray(random, bOff + k * bs + 2);
        double[] c = randomArray(random, cOff + m * cs + 2);
        double[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * ai + p * ap] * b[bOff + p * bs + j];
                }
                expected[cOff + i * cs + j] += s;
            }
        }
        MatrixKernels.mulAdd(a, aOff, ai, ap, b, bOff, bs, c, cOff, cs, m, k, n);
        for (int i = 0; i < c.length; i++) {
            assertThat(c[i]).as("entry %d", i).isCloseTo(expected[i], offset(1e-12 * (k + 1)));
        }
    }

    @Property(tries = 200)
    void gramMatchesNaiveDotProducts(@ForAll @IntRange(min = 0, max = 7) int a,
                                     @ForAll @IntRange(min = 0, max = 7) int b,
                                     @ForAll @IntRange(min = 0, max = 1200) int len,
                                     @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int xs = len + random.nextInt(4);
        int ys = len + random.nextInt(4);
        double[] x = randomArray(random, a * xs + 1);
        double[] y = randomArray(random, b * ys + 1);
        double[] g = randomArray(random, a * b + 1); // garbage that must be overwritten
        MatrixKernels.gram(x, 1, xs, a, y, 1, ys, b, len, g, 1, b);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int t = 0; t < len; t++) {
                    s += x[1 + i * xs + t] * y[1 + j * ys + t];
                }
                assertThat(g[1 + i * b + j]).isCloseTo(s, offset(1e-12 * (len + 1)));
            }
        }
    }

    @Property(tries = 100)
    void rowDotsMatchNaiveDotProductsAcrossChunksAndTiles(@ForAll @IntRange(min = 0, max = 11) int a,
                                                          @ForAll @IntRange(min = 0, max = 7) int b,
                                                          @ForAll @IntRange(min = 0, max = 2600) int len,
                                                          @ForAll long seed) {
        // lengths beyond two DOT_CHUNKs, and a, b that leave partial 4×2 tiles
        SplittableRandom random = new SplittableRandom(seed);
        int xs = len + random.nextInt(4);
        int ys = len + random.nextInt(4);
        int gs = b + random.nextInt(3);
        double[] x = randomArray(random, a * xs + 1);
        double[] y = randomArray(random, b * ys + 2);
        double[] g = randomArray(random, a * gs + 3); // garbage that must be overwritten
        double[] untouched = g.clone();
        MatrixKernels.rowDots(x, 1, xs, a, y, 2, ys, b, len, g, 3, gs);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < gs; j++) {
                int at = 3 + i * gs + j;
                if (j >= b) {
                    assertThat(g[at]).as("padding %d", at).isEqualTo(untouched[at]);
                    continue;
                }
                double s = 0;
                for (int t = 0; t < len; t++) {
                    s += x[1 + i * xs + t] * y[2 + j * ys + t];
                }
                assertThat(g[at]).isCloseTo(s, offset(1e-12 * (len + 1)));
            }
        }
    }

    @Property(tries = 100)
    void dotAxpyAndTransposeMatchLoops(@ForAll @IntRange(min = 0, max = 70) int n,
                                       @ForAll @IntRange(min = 1, max = 9) int rows, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = randomArray(random, n + 2);
        double[] y = randomArray(random, n + 2);
        double dot = 0;
        for (int i = 0; i < n; i++) {
            dot += x[1 + i] * y[2 + i];
        }
        assertThat(MatrixKernels.dot(x, 1, y, 2, n)).isCloseTo(dot, offset(1e-12 * (n + 1)));
        double[] z = y.clone();
        MatrixKernels.axpy(0.75, x, 1, z, 2, n);
        for (int i = 0; i < z.length; i++) {
            double want = i >= 2 && i < 2 + n ? y[i] + 0.75 * x[i - 1] : y[i];
            assertThat(z[i]).isCloseTo(want, offset(1e-14));
        }
        int cols = n / rows;
        double[] m = randomArray(random, rows * cols);
        double[] t = MatrixKernels.transpose(m, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertThat(t[c * rows + r]).isEqualTo(m[r * cols + c]);
            }
        }
    }

    private static double[] randomArray(SplittableRandom random, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = random.nextDouble(-1, 1);
        }
        return d;
    }
}
