package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Tiles of the vector matmul for F32 weights in a memory segment (a memory-mapped checkpoint).
 *
 * <p>Every output element follows the scheme of {@link VectorKernels}: one L-lane accumulator,
 * {@code acc = fma(w_chunk, x_chunk, acc)} over the chunks of L inputs in order, the last partial chunk loaded
 * with a mask (its missing lanes read 0), then the tree of {@link Lanes#sum}. The tiles differ only in how many
 * elements they carry at once, never in the operations applied to one element.
 *
 * <p>The dense tile classes ({@code F32Tiles}, {@code Bf16Tiles}, {@code ArrayTiles}) have the same code except for
 * how a weight chunk is loaded; change them together. Each is its own class so that every inner loop calls exactly
 * one load, which C2 inlines into a few vector instructions (a shared loop with a switch or a virtual load would
 * defeat that).
 */
final class F32Tiles {
    private static final int L = Lanes.L;

    private F32Tiles() {}

    /**
     * Outputs for rows [row, row + 2) and tokens [token, token + 4), the GEMM tile: each weight chunk serves 4 tokens
     * and each activation chunk 2 rows. It carries the masked last chunk, so it serves inputs that do not fill whole
     * chunks; otherwise the wide 4 x 4 tile is used (with the tail as well, a 4 x 4 tile grew past C2's inlining
     * budget, after which vectors were boxed and it ran 5x slower).
     */
    static void rows2Tokens4(MatmulCall c, int row, int token) {
        MemorySegment w = c.w.data();
        int in = c.in;
        long rowBytes = c.w.rowBytes();
        long w0 = row * rowBytes;
        long w1 = w0 + rowBytes;
        float[] x = c.x;
        int x0 = c.xRow(token);
        int x1 = x0 + c.xStride;
        int x2 = x1 + c.xStride;
        int x3 = x2 + c.xStride;
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(in); i < bound; i += L) {
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i);
            FloatVector k = Lanes.f32(w, w0 + 4L * i);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.f32(w, w1 + 4L * i);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i, m);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i, m);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i, m);
            FloatVector k = Lanes.f32(w, w0 + 4L * i, m);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.f32(w, w1 + 4L * i, m);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
        }
        FloatVector s0 = Lanes.sum4(a00, a01, a02, a03);
        c.store(token, row, s0.lane(0));
        c.store(token + 1, row, s0.lane(Lanes.SUM4_B));
        c.store(token + 2, row, s0.lane(Lanes.SUM4_C));
        c.store(token + 3, row, s0.lane(Lanes.SUM4_D));
        FloatVector s1 = Lanes.sum4(a10, a11, a12, a13);
        c.store(token, row + 1, s1.lane(0));
        c.store(token + 1, row + 1, s1.lane(Lanes.SUM4_B));
        c.store(token + 2, row + 1, s1.lane(Lanes.SUM4_C));
        c.store(token + 3, row + 1, s1.lane(Lanes.SUM4_D));
    }

    /**
     * Outputs for rows [row, row + 4) and tokens [token, token + 4), the wider GEMM tile for inputs that fill whole
     * chunks ({@code in % L == 0}, as every projection of the engine's models): 16 accumulators hide the FMA latency
     * and each chunk costs 8 loads for 16 FMAs instead of 6 for 8. Leaving out the masked tail keeps the method
     * small enough for C2 to inline every vector operation. The tile stores nothing: it leaves its 16
     * accumulators in {@code sums} (at least 16 L floats) and the caller then reduces and stores them with
     * {@link MatmulCall#storeTile4x4}. C2 stops inlining our own helpers once a method's graph passes its
     * node-count cutoff, which this tile's loop reaches, so reducing here (Lanes.sum4 not inlined) would box the
     * vectors and run 10x slower. Each element gets the same chain as in the other tiles.
     */
    static void rows4Tokens4(MatmulCall c, int row, int token, float[] sums) {
        rows4Tokens4(c, c.w.data(), row * c.w.rowBytes(), token, sums);
    }

    /**
     * The same tile over the F32 rows of any segment: four consecutive rows of {@code c.in} floats starting at
     * byte {@code w0} of {@code w} (BF16 GEMM widens its row quads into such a scratch segment).
     */
    static void rows4Tokens4(MatmulCall c, MemorySegment w, long w0, int token, float[] sums) {
        int in = c.in;
        long rowBytes = 4L * in;
        long w1 = w0 + rowBytes;
        long w2 = w1 + rowBytes;
        long w3 = w2 + rowBytes;
        float[] x = c.x;
        int x0 = c.xRow(token);
        int x1 = x0 + c.xStride;
        int x2 = x1 + c.xStride;
        int x3 = x2 + c.xStride;
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        for (int i = 0; i < in; i += L) {
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i);
            FloatVector k = Lanes.f32(w, w0 + 4L * i);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.f32(w, w1 + 4L * i);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
            k = Lanes.f32(w, w2 + 4L * i);
            a20 = k.fma(v0, a20); a21 = k.fma(v1, a21); a22 = k.fma(v2, a22); a23 = k.fma(v3, a23);
            k = Lanes.f32(w, w3 + 4L * i);
            a30 = k.fma(v0, a30); a31 = k.fma(v1, a31); a32 = k.fma(v2, a32); a33 = k.fma(v3, a33);
        }
        a00.intoArray(sums, 0); a01.intoArray(sums, L); a02.intoArray(sums, 2 * L); a03.intoArray(sums, 3 * L);
        a10.intoArray(sums, 4 * L); a11.intoArray(sums, 5 * L); a12.intoArray(sums, 6 * L); a13.intoArray(sums, 7 * L);
        a20.intoArray(sums, 8 * L); a21.intoArray(sums, 9 * L); a22.intoArray(sums, 10 * L); a23.intoArray(sums, 11 * L);
        a30.intoArray(sums, 12 * L); a31.intoArray(sums, 13 * L); a32.intoArray(sums, 14 * L); a33.intoArray(sums, 15 * L);
    }

    /**
     * Outputs for rows row, row + step, row + 2 step, row + 3 step of one token: the GEMV tile, with four independent
     * FMA chains and four weight streams. Callers space the rows a quarter of their range apart, so that each stream
     * runs through contiguous rows and stays alone in its memory pages, which the hardware prefetcher needs (it
     * follows one forward stream per 4 KB page; four adjacent short rows share pages and were measured slower).
     */
    static void rows4Token1(MatmulCall c, int row, int step, int token) {
        MemorySegment w = c.w.data();
        int in = c.in;
        long rowBytes = c.w.rowBytes();
        long w0 = row * rowBytes;
        long w1 = w0 + step * rowBytes;
        long w2 = w1 + step * rowBytes;
        long w3 = w2 + step * rowBytes;
        float[] x = c.x;
        int x0 = c.xRow(token);
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(in); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            a0 = Lanes.f32(w, w0 + 4L * i).fma(v, a0);
            a1 = Lanes.f32(w, w1 + 4L * i).fma(v, a1);
            a2 = Lanes.f32(w, w2 + 4L * i).fma(v, a2);
            a3 = Lanes.f32(w, w3 + 4L * i).fma(v, a3);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            a0 = Lanes.f32(w, w0 + 4L * i, m).fma(v, a0);
            a1 = Lanes.f32(w, w1 + 4L * i, m).fma(v, a1);
            a2 = Lanes.f32(w, w2 + 4L * i, m).fma(v, a2);
            a3 = Lanes.f32(w, w3 + 4L * i, m).fma(v, a3);
        }
        FloatVector s = Lanes.sum4(a0, a1, a2, a3);
        c.store(token, row, s.lane(0));
        c.store(token, row + step, s.lane(Lanes.SUM4_B));
        c.store(token, row + 2 * step, s.lane(Lanes.SUM4_C));
        c.store(token, row + 3 * step, s.lane(Lanes.SUM4_D));
    }

    /** One output element (the last rows when the row count is not a multiple of 4). */
    static void row1Token1(MatmulCall c, int row, int token) {
        MemorySegment w = c.w.data();
        int in = c.in;
        long w0 = row * c.w.rowBytes();
        float[] x = c.x;
        int x0 = c.xRow(token);
        FloatVector a = FloatVector.zero(Lanes.FLOATS);
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(in); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            a = Lanes.f32(w, w0 + 4L * i).fma(v, a);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            a = Lanes.f32(w, w0 + 4L * i, m).fma(v, a);
        }
        c.store(token, row, Lanes.sum(a));
    }
}
