package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** The definition: each element its own fma chain over t in order, from 0 or from C. */
    static void reference(int n, int k, int m, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                float acc = accumulate ? c[cOff + i * ldc + j] : 0f;
                for (int t = 0; t < k; t++) {
                    acc = Math.fma(a[aOff + i * aRow + t * aCol], b[bOff + t * ldb + j], acc);
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }

    private static float[] random(int size, SplittableRandom r) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    @Test
    void equalsTheFmaChainBitForBitForEveryShapeLayoutAndTail() {
        SplittableRandom r = new SplittableRandom(7);
        int[] sizes = {1, 3, 4, 5, 15, 16, 17, 33, 64, 65, 130};
        for (int trial = 0; trial < 300; trial++) {
            int n = sizes[r.nextInt(sizes.length)];
            int k = sizes[r.nextInt(sizes.length)];
            int m = sizes[r.nextInt(sizes.length)];
            boolean transposed = r.nextBoolean();
            boolean accumulate = r.nextBoolean();
            int lda = (transposed ? n : k) + r.nextInt(3);
            int ldb = m + r.nextInt(3);
            int ldc = m + r.nextInt(3);
            int aOff = r.nextInt(5);
            int bOff = r.nextInt(5);
            int cOff = r.nextInt(5);
            float[] a = random(aOff + lda * (transposed ? k : n), r);
            float[] b = random(bOff + ldb * k, r);
            float[] c = random(cOff + ldc * n, r);
            float[] expected = c.clone();
            int aRow = transposed ? 1 : lda;
            int aCol = transposed ? lda : 1;
            reference(n, k, m, a, aOff, aRow, aCol, b, bOff, ldb, expected, cOff, ldc, accumulate);
            Gemm.multiply(n, k, m, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
            assertThat(c).as("n=%d k=%d m=%d transposed=%s accumulate=%s", n, k, m, transposed, accumulate)
                    .containsExactly(expected);
        }
    }
}
