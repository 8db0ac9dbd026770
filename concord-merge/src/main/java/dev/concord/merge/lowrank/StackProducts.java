package dev.concord.merge.lowrank;

import org.ejml.data.DMatrixRMaj;

/**
 * The few dense products the low-rank methods need on tall or wide stacks ([rows, K] or [K, cols] with K small),
 * written so that every inner loop runs over contiguous memory: K×K Gram matrices and multiplications by a K×K
 * matrix. On a [11008, 64] stack these are several times faster than EJML's general routines, which matters
 * because they run once per module of a model.
 */
final class StackProducts {
    private StackProducts() {}

    /** XᵀX for X [m, k] row-major: accumulated row by row, upper triangle mirrored. */
    static DMatrixRMaj columnGram(DMatrixRMaj x) {
        int m = x.numRows;
        int k = x.numCols;
        double[] d = x.data;
        double[] g = new double[k * k];
        for (int i = 0; i < m; i++) {
            int row = i * k;
            for (int a = 0; a < k; a++) {
                double xa = d[row + a];
                if (xa == 0) {
                    continue;
                }
                int ga = a * k;
                for (int b = a; b < k; b++) {
                    g[ga + b] += xa * d[row + b];
                }
            }
        }
        mirrorUpper(g, k);
        return new DMatrixRMaj(k, k, true, g);
    }

    /** XXᵀ for X [k, n] row-major: one contiguous dot product per entry of the upper triangle. */
    static DMatrixRMaj rowGram(DMatrixRMaj x) {
        int k = x.numRows;
        int n = x.numCols;
        double[] d = x.data;
        double[] g = new double[k * k];
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += d[a * n + j] * d[b * n + j];
                }
                g[a * k + b] = s;
            }
        }
        mirrorUpper(g, k);
        return new DMatrixRMaj(k, k, true, g);
    }

    /** X·Y for X [m, k] and Y [k, n] row-major: each output row is a sum of rows of Y. */
    static DMatrixRMaj times(DMatrixRMaj x, DMatrixRMaj y) {
        int m = x.numRows;
        int k = x.numCols;
        int n = y.numCols;
        if (y.numRows != k) {
            throw new IllegalArgumentException("[" + m + ", " + k + "] times [" + y.numRows + ", " + n + "]");
        }
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            int o = i * n;
            for (int a = 0; a < k; a++) {
                double xa = x.data[i * k + a];
                if (xa == 0) {
                    continue;
                }
                int ya = a * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] += xa * y.data[ya + j];
                }
            }
        }
        return new DMatrixRMaj(m, n, true, out);
    }

    private static void mirrorUpper(double[] g, int k) {
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                g[a * k + b] = g[b * k + a];
            }
        }
    }
}
