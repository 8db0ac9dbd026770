package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Tiles of the vector matmul for F16 weights (IEEE half widened by integer lane operations). Every output element follows the scheme of
 * {@link VectorKernels}: one L-lane accumulator, {@code acc = fma(w_chunk, x_chunk, acc)} over the chunks of L
 * inputs in order, the last partial chunk loaded with a mask (masked lanes read 0), then {@link Lanes#sum}. The
 * tiles differ only in how many elements they carry at once, never in the operations applied to one element.
 *
 * <p>The three dense tile classes (F32, BF16, F16) are identical except for the load; they are separate classes
 * so that each inner loop calls exactly one widening method, which the JIT inlines and turns into a few vector
 * instructions (a shared loop with a switch or a virtual load would defeat that).
 */
final class F16Tiles {
    private static final int L = Lanes.L;
    private static final long BYTES = 2;

    private F16Tiles() {}

    /** Outputs for rows [row, row + 4) and tokens [token, token + 4): each weight chunk is loaded once for 4 tokens. */
    static void rows4Tokens4(MatmulCall c, int row, int token) {
        MemorySegment w = c.w.data();
        int in = c.in;
        long rowBytes = c.w.rowBytes();
        long w0 = row * rowBytes;
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
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(in); i < bound; i += L) {
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i);
            long o = (long) i * BYTES;
            FloatVector k = Lanes.f16(w, w0 + o);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.f16(w, w1 + o);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
            k = Lanes.f16(w, w2 + o);
            a20 = k.fma(v0, a20); a21 = k.fma(v1, a21); a22 = k.fma(v2, a22); a23 = k.fma(v3, a23);
            k = Lanes.f16(w, w3 + o);
            a30 = k.fma(v0, a30); a31 = k.fma(v1, a31); a32 = k.fma(v2, a32); a33 = k.fma(v3, a33);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS, x, x1 + i, m);
            FloatVector v2 = FloatVector.fromArray(Lanes.FLOATS, x, x2 + i, m);
            FloatVector v3 = FloatVector.fromArray(Lanes.FLOATS, x, x3 + i, m);
            long o = (long) i * BYTES;
            FloatVector k = Lanes.f16(w, w0 + o, wm);
            a00 = k.fma(v0, a00); a01 = k.fma(v1, a01); a02 = k.fma(v2, a02); a03 = k.fma(v3, a03);
            k = Lanes.f16(w, w1 + o, wm);
            a10 = k.fma(v0, a10); a11 = k.fma(v1, a11); a12 = k.fma(v2, a12); a13 = k.fma(v3, a13);
            k = Lanes.f16(w, w2 + o, wm);
            a20 = k.fma(v0, a20); a21 = k.fma(v1, a21); a22 = k.fma(v2, a22); a23 = k.fma(v3, a23);
            k = Lanes.f16(w, w3 + o, wm);
            a30 = k.fma(v0, a30); a31 = k.fma(v1, a31); a32 = k.fma(v2, a32); a33 = k.fma(v3, a33);
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
        FloatVector s2 = Lanes.sum4(a20, a21, a22, a23);
        c.store(token, row + 2, s2.lane(0));
        c.store(token + 1, row + 2, s2.lane(Lanes.SUM4_B));
        c.store(token + 2, row + 2, s2.lane(Lanes.SUM4_C));
        c.store(token + 3, row + 2, s2.lane(Lanes.SUM4_D));
        FloatVector s3 = Lanes.sum4(a30, a31, a32, a33);
        c.store(token, row + 3, s3.lane(0));
        c.store(token + 1, row + 3, s3.lane(Lanes.SUM4_B));
        c.store(token + 2, row + 3, s3.lane(Lanes.SUM4_C));
        c.store(token + 3, row + 3, s3.lane(Lanes.SUM4_D));
    }

    /** Outputs for rows [row, row + 4) of one token: the GEMV tile, four independent FMA chains and weight streams. */
    static void rows4Token1(MatmulCall c, int row, int token) {
        MemorySegment w = c.w.data();
        int in = c.in;
        long rowBytes = c.w.rowBytes();
        long w0 = row * rowBytes;
        long w1 = w0 + rowBytes;
        long w2 = w1 + rowBytes;
        long w3 = w2 + rowBytes;
        float[] x = c.x;
        int x0 = c.xRow(token);
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(in); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i);
            long o = (long) i * BYTES;
            a0 = Lanes.f16(w, w0 + o).fma(v, a0);
            a1 = Lanes.f16(w, w1 + o).fma(v, a1);
            a2 = Lanes.f16(w, w2 + o).fma(v, a2);
            a3 = Lanes.f16(w, w3 + o).fma(v, a3);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            long o = (long) i * BYTES;
            a0 = Lanes.f16(w, w0 + o, wm).fma(v, a0);
            a1 = Lanes.f16(w, w1 + o, wm).fma(v, a1);
            a2 = Lanes.f16(w, w2 + o, wm).fma(v, a2);
            a3 = Lanes.f16(w, w3 + o, wm).fma(v, a3);
        }
        FloatVector s = Lanes.sum4(a0, a1, a2, a3);
        c.store(token, row, s.lane(0));
        c.store(token, row + 1, s.lane(Lanes.SUM4_B));
        c.store(token, row + 2, s.lane(Lanes.SUM4_C));
        c.store(token, row + 3, s.lane(Lanes.SUM4_D));
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
            long o = (long) i * BYTES;
            a = Lanes.f16(w, w0 + o).fma(v, a);
        }
        if (i < in) {
            VectorMask<Float> m = Lanes.floatMask(i, in);
            VectorMask<Short> wm = Lanes.SHORTS.indexInRange(i, in);
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
            long o = (long) i * BYTES;
            a = Lanes.f16(w, w0 + o, wm).fma(v, a);
        }
        c.store(token, row, Lanes.sum(a));
    }
}
