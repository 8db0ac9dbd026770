package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Tiles of the vector matmul for BF16 weights, each chunk widened in registers (the 16 bits become the
 * high half of a float).
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
final class Bf16Tiles {
    private static final int L = Lanes.L;

    private Bf16Tiles() {}

    /**
     * Outputs for rows [row, row + 2) and tokens [token, token + 4), the GEMM tile: each weight chunk serves 4 tokens
     * and each activation chunk 2 rows. Used for GEMM chunks of fewer than
     * {@link VectorMatmul#WIDEN_BF16_MIN_TOKENS} tokens or inputs that do not fill whole chunks; otherwise the
     * row quad is widened once and {@link F32Tiles#rows4Tokens4} runs over it.
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
            FloatVector k = Lanes.bf16(w, w0 + 2L * i);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.bf16(w, w1 + 2L * i);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i, m);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i, m);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i, m);
            FloatVector k = Lanes.bf16(w, w0 + 2L * i, wm);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.bf16(w, w1 + 2L * i, wm);
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
            a0 = Lanes.bf16(w, w0 + 2L * i).fma(v, a0);
            a1 = Lanes.bf16(w, w1 + 2L * i).fma(v, a1);
            a2 = Lanes.bf16(w, w2 + 2L * i).fma(v, a2);
            a3 = Lanes.bf16(w, w3 + 2L * i).fma(v, a3);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            a0 = Lanes.bf16(w, w0 + 2L * i, wm).fma(v, a0);
            a1 = Lanes.bf16(w, w1 + 2L * i, wm).fma(v, a1);
            a2 = Lanes.bf16(w, w2 + 2L * i, wm).fma(v, a2);
            a3 = Lanes.bf16(w, w3 + 2L * i, wm).fma(v, a3);
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
            a = Lanes.bf16(w, w0 + 2L * i).fma(v, a);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            a = Lanes.bf16(w, w0 + 2L * i, wm).fma(v, a);
        }
        c.store(token, row, Lanes.sum(a));
    }
}
