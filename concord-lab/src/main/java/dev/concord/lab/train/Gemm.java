package dev.concord.lab.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The trainer's one matrix product, {@code C (+)= A·B} with A read through strides (so {@code Aᵀ·B} needs no copy),
 * written for training's shapes: many tokens times small weights, where broadcasting one element of A against a
 * row chunk of B needs no horizontal sums at all.
 *
 * <p>Every output element is its own chain {@code acc = fma(A(i,t), B(t,j), acc)} over t = 0, 1, …, k−1, starting
 * from 0 or from C's value: the tiles below only decide how many chains advance together, never the operations of
 * one chain. So results do not depend on the tiling, on how callers split the rows between threads, or on whether
 * the code is JIT-compiled, and they equal {@code Math.fma} applied in the same order (the tests' reference).
 *
 * <p>Layouts: {@code A(i,t) = a[aOff + i·aRow + t·aCol]} ({@code aRow = lda, aCol = 1} for A,
 * {@code aRow = 1, aCol = lda} for Aᵀ), {@code B(t,j) = b[bOff + t·ldb + j]}, {@code C(i,j) = c[cOff + i·ldc + j]}.
 */
final class Gemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() > 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    private Gemm() {}

    /** C[n, m] (+)= A[n, k]·B[k, m]; with {@code accumulate} false, C's old values are ignored. */
    static void multiply(int n, int k, int m, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        int j = 0;
        for (; j + 4 * L <= m; j += 4 * L) {
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                rows4Cols4(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            }
            for (; i < n; i++) {
                row1Cols4(k, a, aOff + i * aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate);
            }
        }
        for (; j < m; j += L) {
            VectorMask<Float> mask = F.indexInRange(j, m);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                rows4Col1(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc,
                        accumulate, mask);
            }
            for (; i < n; i++) {
                row1Col1(k, a, aOff + i * aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate, mask);
            }
        }
    }

    /** Four rows of C times four vectors of columns: 16 accumulators, 4 loads of B and 4 broadcasts of A per t. */
    private static void rows4Cols4(int k, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int ldb,
            float[] c, int c0, int ldc, boolean accumulate) {
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        FloatVector z = FloatVector.zero(F);
        FloatVector s00 = accumulate ? FloatVector.fromArray(F, c, c0) : z;
        FloatVector s01 = accumulate ? FloatVector.fromArray(F, c, c0 + L) : z;
        FloatVector s02 = accumulate ? FloatVector.fromArray(F, c, c0 + 2 * L) : z;
        FloatVector s03 = accumulate ? FloatVector.fromArray(F, c, c0 + 3 * L) : z;
        FloatVector s10 = accumulate ? FloatVector.fromArray(F, c, c1) : z;
        FloatVector s11 = accumulate ? FloatVector.fromArray(F, c, c1 + L) : z;
        FloatVector s12 = accumulate ? FloatVector.fromArray(F, c, c1 + 2 * L) : z;
        FloatVector s13 = accumulate ? FloatVector.fromArray(F, c, c1 + 3 * L) : z;
        FloatVector s20 = accumulate ? FloatVector.fromArray(F, c, c2) : z;
        FloatVector s21 = accumulate ? FloatVector.fromArray(F, c, c2 + L) : z;
        FloatVector s22 = accumulate ? FloatVector.fromArray(F, c, c2 + 2 * L) : z;
        FloatVector s23 = accumulate ? FloatVector.fromArray(F, c, c2 + 3 * L) : z;
        FloatVector s30 = accumulate ? FloatVector.fromArray(F, c, c3) : z;
        FloatVector s31 = accumulate ? FloatVector.fromArray(F, c, c3 + L) : z;
        FloatVector s32 = accumulate ? FloatVector.fromArray(F, c, c3 + 2 * L) : z;
        FloatVector s33 = accumulate ? FloatVector.fromArray(F, c, c3 + 3 * L) : z;
        int ia = a0;
        int ib = b0;
        for (int t = 0; t < k; t++, ia += aCol, ib += ldb) {
            FloatVector v0 = FloatVector.fromArray(F, b, ib);
            FloatVector v1 = FloatVector.fromArray(F, b, ib + L);
            FloatVector v2 = FloatVector.fromArray(F, b, ib + 2 * L);
            FloatVector v3 = FloatVector.fromArray(F, b, ib + 3 * L);
            FloatVector x = FloatVector.broadcast(F, a[ia]);
            s00 = x.fma(v0, s00);
            s01 = x.fma(v1, s01);
            s02 = x.fma(v2, s02);
            s03 = x.fma(v3, s03);
            x = FloatVector.broadcast(F, a[ia + aRow]);
            s10 = x.fma(v0, s10);
            s11 = x.fma(v1, s11);
            s12 = x.fma(v2, s12);
            s13 = x.fma(v3, s13);
            x = FloatVector.broadcast(F, a[ia + 2 * aRow]);
            s20 = x.fma(v0, s20);
            s21 = x.fma(v1, s21);
            s22 = x.fma(v2, s22);
            s23 = x.fma(v3, s23);
            x = FloatVector.broadcast(F, a[ia + 3 * aRow]);
            s30 = x.fma(v0, s30);
            s31 = x.fma(v1, s31);
            s32 = x.fma(v2, s32);
            s33 = x.fma(v3, s33);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s02.intoArray(c, c0 + 2 * L);
        s03.intoArray(c, c0 + 3 * L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s12.intoArray(c, c1 + 2 * L);
        s13.intoArray(c, c1 + 3 * L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s22.intoArray(c, c2 + 2 * L);
        s23.intoArray(c, c2 + 3 * L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s32.intoArray(c, c3 + 2 * L);
        s33.intoArray(c, c3 + 3 * L);
    }

    private static void row1Cols4(int k, float[] a, int a0, int aCol, float[] b, int b0, int ldb, float[] c, int c0,
            boolean accumulate) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = accumulate ? FloatVector.fromArray(F, c, c0) : z;
        FloatVector s1 = accumulate ? FloatVector.fromArray(F, c, c0 + L) : z;
        FloatVector s2 = accumulate ? FloatVector.fromArray(F, c, c0 + 2 * L) : z;
        FloatVector s3 = accumulate ? FloatVector.fromArray(F, c, c0 + 3 * L) : z;
        int ia = a0;
        int ib = b0;
        for (int t = 0; t < k; t++, ia += aCol, ib += ldb) {
            FloatVector x = FloatVector.broadcast(F, a[ia]);
            s0 = x.fma(FloatVector.fromArray(F, b, ib), s0);
            s1 = x.fma(FloatVector.fromArray(F, b, ib + L), s1);
            s2 = x.fma(FloatVector.fromArray(F, b, ib + 2 * L), s2);
            s3 = x.fma(FloatVector.fromArray(F, b, ib + 3 * L), s3);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + L);
        s2.intoArray(c, c0 + 2 * L);
        s3.intoArray(c, c0 + 3 * L);
    }

    /** Four rows of C times one (possibly partial) vector of columns; lanes outside {@code mask} are untouched. */
    private static void rows4Col1(int k, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int ldb,
            float[] c, int c0, int ldc, boolean accumulate, VectorMask<Float> mask) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s0 = accumulate ? FloatVector.fromArray(F, c, c0, mask) : z;
        FloatVector s1 = accumulate ? FloatVector.fromArray(F, c, c0 + ldc, mask) : z;
        FloatVector s2 = accumulate ? FloatVector.fromArray(F, c, c0 + 2 * ldc, mask) : z;
        FloatVector s3 = accumulate ? FloatVector.fromArray(F, c, c0 + 3 * ldc, mask) : z;
        int ia = a0;
        int ib = b0;
        for (int t = 0; t < k; t++, ia += aCol, ib += ldb) {
            FloatVector v = FloatVector.fromArray(F, b, ib, mask);
            s0 = FloatVector.broadcast(F, a[ia]).fma(v, s0);
            s1 = FloatVector.broadcast(F, a[ia + aRow]).fma(v, s1);
            s2 = FloatVector.broadcast(F, a[ia + 2 * aRow]).fma(v, s2);
            s3 = FloatVector.broadcast(F, a[ia + 3 * aRow]).fma(v, s3);
        }
        s0.intoArray(c, c0, mask);
        s1.intoArray(c, c0 + ldc, mask);
        s2.intoArray(c, c0 + 2 * ldc, mask);
        s3.intoArray(c, c0 + 3 * ldc, mask);
    }

    private static void row1Col1(int k, float[] a, int a0, int aCol, float[] b, int b0, int ldb, float[] c, int c0,
            boolean accumulate, VectorMask<Float> mask) {
        FloatVector s = accumulate ? FloatVector.fromArray(F, c, c0, mask) : FloatVector.zero(F);
        int ia = a0;
        int ib = b0;
        for (int t = 0; t < k; t++, ia += aCol, ib += ldb) {
            s = FloatVector.broadcast(F, a[ia]).fma(FloatVector.fromArray(F, b, ib, mask), s);
        }
        s.intoArray(c, c0, mask);
    }
}
