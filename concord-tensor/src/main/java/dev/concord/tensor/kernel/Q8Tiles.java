package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Tiles of the vector matmul for Q8_0 weights. The scheme per output element (see {@link VectorKernels}): for each
 * block of 32 inputs, a block partial {@code p} starts at 0 and takes {@code p = fma(q_chunk, x_chunk, p)} for the
 * 32/L chunks of the block in order (the chunks of a short last block loaded with masks); then
 * {@code acc = fma(p, broadcast(scale), acc)}; at the end {@link Lanes#sum}. Int8 quants widen to float exactly, so
 * the only roundings are those of the FMAs and of the sum. Scales come from the matrix's heap array.
 */
final class Q8Tiles {
    private static final int L = Lanes.L;
    private static final int BLOCK = Q8_0Quantizer.BLOCK_SIZE;

    private Q8Tiles() {}

    /** Rows [row, row + 4) × tokens [token, token + 4), as four single-row tiles (a quant chunk serves 4 tokens). */
    static void rows4Tokens4(MatmulCall c, int row, int token) {
        row1Tokens4(c, row, token);
        row1Tokens4(c, row + 1, token);
        row1Tokens4(c, row + 2, token);
        row1Tokens4(c, row + 3, token);
    }

    private static void row1Tokens4(MatmulCall c, int row, int token) {
        MemorySegment q = c.w.data();
        float[] s = c.w.scaleArray();
        int in = c.in;
        int blocks = Q8_0Quantizer.blocksPerRow(in);
        int fullBlocks = in / BLOCK;
        long q0 = (long) row * in;
        int s0 = c.w.scaleOffset() + row * blocks;
        float[] x = c.x;
        int x0 = c.xRow(token);
        int x1 = x0 + c.xStride;
        int x2 = x1 + c.xStride;
        int x3 = x2 + c.xStride;
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int b = 0; b < fullBlocks; b++) {
            int i = b * BLOCK;
            FloatVector k = Lanes.q8(q, q0 + i);
            FloatVector p0 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + i), z);
            FloatVector p1 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + i), z);
            FloatVector p2 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + i), z);
            FloatVector p3 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + i), z);
            for (int j = i + L; j < i + BLOCK; j += L) { // 32/L - 1 more chunks: one with AVX-512
                k = Lanes.q8(q, q0 + j);
                p0 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + j), p0);
                p1 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + j), p1);
                p2 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + j), p2);
                p3 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + j), p3);
            }
            FloatVector d = FloatVector.broadcast(Lanes.FLOATS, s[s0 + b]);
            a0 = p0.fma(d, a0);
            a1 = p1.fma(d, a1);
            a2 = p2.fma(d, a2);
            a3 = p3.fma(d, a3);
        }
        if (fullBlocks < blocks) {
            FloatVector p0 = z, p1 = z, p2 = z, p3 = z;
            for (int i = fullBlocks * BLOCK; i < in; i += L) {
                VectorMask<Float> m = Lanes.floatMask(i, in);
                FloatVector k = Lanes.q8(q, q0 + i, Lanes.BYTES.indexInRange(i, in));
                p0 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m), p0);
                p1 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + i, m), p1);
                p2 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + i, m), p2);
                p3 = k.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + i, m), p3);
            }
            FloatVector d = FloatVector.broadcast(Lanes.FLOATS, s[s0 + fullBlocks]);
            a0 = p0.fma(d, a0);
            a1 = p1.fma(d, a1);
            a2 = p2.fma(d, a2);
            a3 = p3.fma(d, a3);
        }
        FloatVector sums = Lanes.sum4(a0, a1, a2, a3);
        c.store(token, row, sums.lane(0));
        c.store(token + 1, row, sums.lane(Lanes.SUM4_B));
        c.store(token + 2, row, sums.lane(Lanes.SUM4_C));
        c.store(token + 3, row, sums.lane(Lanes.SUM4_D));
    }

    /**
     * Rows row + k * step (k = 0..3) of one token: the GEMV tile, four weight streams a quarter of the caller's range
     * apart (see {@code F32Tiles.rows4Token1} for why).
     */
    static void rows4Token1(MatmulCall c, int row, int step, int token) {
        MemorySegment q = c.w.data();
        float[] s = c.w.scaleArray();
        int in = c.in;
        int blocks = Q8_0Quantizer.blocksPerRow(in);
        int fullBlocks = in / BLOCK;
        long q0 = (long) row * in;
        long q1 = q0 + (long) step * in;
        long q2 = q1 + (long) step * in;
        long q3 = q2 + (long) step * in;
        int s0 = c.w.scaleOffset() + row * blocks;
        int s1 = s0 + step * blocks;
        int s2 = s1 + step * blocks;
        int s3 = s2 + step * blocks;
        float[] x = c.x;
        int x0 = c.xRow(token);
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int b = 0; b < fullBlocks; b++) {
            int i0 = b * BLOCK;
            a0 = blockPartial(q, q0 + i0, x, x0 + i0).fma(FloatVector.broadcast(Lanes.FLOATS, s[s0 + b]), a0);
            a1 = blockPartial(q, q1 + i0, x, x0 + i0).fma(FloatVector.broadcast(Lanes.FLOATS, s[s1 + b]), a1);
            a2 = blockPartial(q, q2 + i0, x, x0 + i0).fma(FloatVector.broadcast(Lanes.FLOATS, s[s2 + b]), a2);
            a3 = blockPartial(q, q3 + i0, x, x0 + i0).fma(FloatVector.broadcast(Lanes.FLOATS, s[s3 + b]), a3);
        }
        if (fullBlocks < blocks) {
            FloatVector p0 = z, p1 = z, p2 = z, p3 = z;
            for (int i = fullBlocks * BLOCK; i < in; i += L) {
                VectorMask<Float> m = Lanes.floatMask(i, in);
                VectorMask<Byte> qm = Lanes.BYTES.indexInRange(i, in);
                FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m);
                p0 = Lanes.q8(q, q0 + i, qm).fma(v, p0);
                p1 = Lanes.q8(q, q1 + i, qm).fma(v, p1);
                p2 = Lanes.q8(q, q2 + i, qm).fma(v, p2);
                p3 = Lanes.q8(q, q3 + i, qm).fma(v, p3);
            }
            int sb = fullBlocks;
            a0 = p0.fma(FloatVector.broadcast(Lanes.FLOATS, s[s0 + sb]), a0);
            a1 = p1.fma(FloatVector.broadcast(Lanes.FLOATS, s[s1 + sb]), a1);
            a2 = p2.fma(FloatVector.broadcast(Lanes.FLOATS, s[s2 + sb]), a2);
            a3 = p3.fma(FloatVector.broadcast(Lanes.FLOATS, s[s3 + sb]), a3);
        }
        FloatVector sums = Lanes.sum4(a0, a1, a2, a3);
        c.store(token, row, sums.lane(0));
        c.store(token, row + step, sums.lane(Lanes.SUM4_B));
        c.store(token, row + 2 * step, sums.lane(Lanes.SUM4_C));
        c.store(token, row + 3 * step, sums.lane(Lanes.SUM4_D));
    }

    /**
     * The partial p of one full block: {@code p = fma(q_chunk, x_chunk, p)} from +0 over its 32/L chunks in order,
     * written out so that C2 sees straight-line code (the same operations as the loops over a block elsewhere).
     */
    private static FloatVector blockPartial(MemorySegment q, long qOffset, float[] x, int xOffset) {
        FloatVector p = FloatVector.zero(Lanes.FLOATS);
        p = Lanes.q8(q, qOffset).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset), p);
        p = Lanes.q8(q, qOffset + L).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + L), p);
        if (L == 8) {
            p = Lanes.q8(q, qOffset + 16).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + 16), p);
            p = Lanes.q8(q, qOffset + 24).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + 24), p);
        }
        return p;
    }

    /** One output element. */
    static void row1Token1(MatmulCall c, int row, int token) {
        MemorySegment q = c.w.data();
        float[] s = c.w.scaleArray();
        int in = c.in;
        int blocks = Q8_0Quantizer.blocksPerRow(in);
        int fullBlocks = in / BLOCK;
        long q0 = (long) row * in;
        int s0 = c.w.scaleOffset() + row * blocks;
        float[] x = c.x;
        int x0 = c.xRow(token);
        FloatVector z = FloatVector.zero(Lanes.FLOATS);
        FloatVector a = z;
        for (int b = 0; b < fullBlocks; b++) {
            int i0 = b * BLOCK;
            a = blockPartial(q, q0 + i0, x, x0 + i0).fma(FloatVector.broadcast(Lanes.FLOATS, s[s0 + b]), a);
        }
        if (fullBlocks < blocks) {
            FloatVector p = z;
            for (int i = fullBlocks * BLOCK; i < in; i += L) {
                VectorMask<Float> m = Lanes.floatMask(i, in);
                p = Lanes.q8(q, q0 + i, Lanes.BYTES.indexInRange(i, in))
                        .fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + i, m), p);
            }
            a = p.fma(FloatVector.broadcast(Lanes.FLOATS, s[s0 + fullBlocks]), a);
        }
        c.store(token, row, Lanes.sum(a));
    }
}
