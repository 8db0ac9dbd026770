package dev.concord.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The Vector API kernels ({@code jdk.incubator.vector}), multi-threaded over output rows on a {@link ComputePool}.
 *
 * <h2>Accumulation scheme (the batch-invariance contract)</h2>
 * Let L be the number of float lanes ({@code Lanes.L}: 16 with AVX-512, 8 with AVX2) and split the inputs
 * 0..in-1 into chunks of L: chunk j holds inputs jL .. jL+L-1, and the last chunk, if partial, is read with a
 * mask so that its missing lanes hold w = x = 0. Every output element {@code dot(W[o, :], X[i, :])} is then:
 * <ul>
 *   <li><b>F32, BF16, F16:</b> one accumulator vector {@code acc} (L lanes) starts at +0; for j = 0, 1, ... in
 *       order, {@code acc = fma(w_chunk_j, x_chunk_j, acc)} (lane-wise fused multiply-add, one rounding per lane),
 *       where {@code w_chunk_j} is the weights widened exactly to float (BF16 in registers, F16 by the hardware
 *       conversion into a per-thread scratch row block first: either way the same float values);</li>
 *   <li><b>Q8_0:</b> per block b of 32 inputs, {@code p = +0}, then {@code p = fma(q_chunk, x_chunk, p)} over the
 *       block's 32/L chunks in order, then {@code acc = fma(p, broadcast(scale_b), acc)};</li>
 *   <li>finally the lanes are summed by the fixed pairwise tree of {@link Lanes#sum} (lane l + lane l+L/2, then
 *       +L/4, ...), never by {@code reduceLanes}, whose order the Vector API leaves open. Tiles reduce four
 *       accumulators at once with {@link Lanes#sum4}, which performs the very same additions per element.</li>
 * </ul>
 * The output element is then formed by the epilogue of {@link MatmulCall#store} (alpha, bias, accumulate).
 *
 * <p>Every code path — the 4-rows × 4-tokens GEMM tile (inputs in whole chunks; BF16 rows widened into an aligned
 * scratch first), the 2-rows × 4-tokens GEMM tile (otherwise; 1 × 4 for Q8_0), the 4-rows × 1-token GEMV tile, the
 * single-element tile and {@link #dot} — performs exactly this sequence for each element it carries; tiles only
 * decide how many elements are in flight. Threads split the rows (and token blocks) but an element is always computed whole by
 * one thread. Lane-wise add, multiply and FMA are exactly specified IEEE operations, so interpreted, C1- and
 * C2-compiled code agree. Consequently GEMM rows equal GEMV results bit for bit, for any n, any position of a token
 * in the batch, and any thread count. (L is fixed per JVM, so results can differ between machines with different
 * vector widths; they never differ within one process.)
 *
 * <h2>Threads</h2>
 * Calls with fewer than {@link #PARALLEL_MIN_MACS} multiply-adds (by default) run on the calling thread: waking
 * another thread costs more than they take. Larger calls are cut into about {@value #CHUNKS_PER_THREAD} chunks per
 * thread (see {@link VectorMatmul}). A call allocates two small objects (the argument record and the chunk plan)
 * and nothing per chunk; widened F16 and BF16 rows and the wide GEMM tile's accumulators use per-thread scratch
 * buffers that are allocated once (and grown when a wider matrix comes).
 */
public final class VectorKernels implements Kernels {
    /** By default, calls with fewer multiply-adds than this run on the caller's thread. */
    public static final long PARALLEL_MIN_MACS = 1L << 16;
    static final int CHUNKS_PER_THREAD = 4;

    private final ComputePool pool;
    private final long parallelMinMacs;

    VectorKernels(ComputePool pool) {
        this(pool, PARALLEL_MIN_MACS);
    }

    /** {@code parallelMinMacs = 0} splits every call across the pool (tests use it to exercise splitting). */
    VectorKernels(ComputePool pool, long parallelMinMacs) {
        if (pool == null) {
            throw new IllegalArgumentException("compute pool is null");
        }
        this.pool = pool;
        this.parallelMinMacs = parallelMinMacs;
    }

    @Override
    public String name() {
        return "vector" + Lanes.L * 32 + "x" + pool.threads();
    }

    public ComputePool pool() {
        return pool;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int xOffset, int xStride, int n,
            float[] y, int yOffset, int yStride, float alpha, float[] bias, boolean accumulate) {
        MatmulCall call = new MatmulCall(w, x, xOffset, xStride, n, y, yOffset, yStride, alpha, bias, accumulate);
        if (n == 0) {
            return;
        }
        int threads = threadsFor((long) n * call.out * call.in);
        VectorMatmul job = VectorMatmul.plan(call, threads, CHUNKS_PER_THREAD);
        execute(job, job.chunkCount(), threads);
    }

    @Override
    public void matmulShared(float[] x, int xOffset, int xStride, int n, WeightMatrix[] ws, float[][] ys,
            float[][] biases) {
        Kernels.checkShared(ws, ys, biases);
        if (n == 0 || ws.length == 0) {
            return;
        }
        long macs = 0;
        MatmulCall[] calls = new MatmulCall[ws.length];
        for (int j = 0; j < ws.length; j++) {
            calls[j] = new MatmulCall(ws[j], x, xOffset, xStride, n, ys[j], 0, ws[j].rows(), 1f,
                    biases == null ? null : biases[j], false);
            macs += (long) n * calls[j].out * calls[j].in;
        }
        int threads = threadsFor(macs);
        VectorMatmul[] jobs = new VectorMatmul[calls.length];
        int[] firstChunk = new int[calls.length + 1];
        for (int j = 0; j < calls.length; j++) {
            jobs[j] = VectorMatmul.plan(calls[j], threads, CHUNKS_PER_THREAD);
            firstChunk[j + 1] = firstChunk[j] + jobs[j].chunkCount();
        }
        execute(chunk -> {
            int j = 0;
            while (chunk >= firstChunk[j + 1]) {
                j++;
            }
            jobs[j].run(chunk - firstChunk[j]);
        }, firstChunk[calls.length], threads);
    }

    /** Work with fewer multiply-adds than the threshold runs on the caller's thread: waking others costs more. */
    private int threadsFor(long macs) {
        return macs < parallelMinMacs ? 1 : pool.threads();
    }

    private void execute(ComputePool.ChunkTask task, int chunks, int threads) {
        if (threads == 1) {
            for (int c = 0; c < chunks; c++) {
                task.run(c);
            }
        } else {
            pool.run(chunks, task);
        }
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        ArrayRange.check("a", a, aOffset, length);
        ArrayRange.check("b", b, bOffset, length);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(length); i < bound; i += Lanes.L) {
            acc = FloatVector.fromArray(Lanes.FLOATS, a, aOffset + i)
                    .fma(FloatVector.fromArray(Lanes.FLOATS, b, bOffset + i), acc);
        }
        if (i < length) {
            VectorMask<Float> m = Lanes.floatMask(i, length);
            acc = FloatVector.fromArray(Lanes.FLOATS, a, aOffset + i, m)
                    .fma(FloatVector.fromArray(Lanes.FLOATS, b, bOffset + i, m), acc);
        }
        return Lanes.sum(acc);
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
        ArrayRange.check("x", x, xOffset, length);
        ArrayRange.check("y", y, yOffset, length);
        FloatVector a = FloatVector.broadcast(Lanes.FLOATS, alpha);
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(length); i < bound; i += Lanes.L) {
            a.fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i), FloatVector.fromArray(Lanes.FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        if (i < length) {
            VectorMask<Float> m = Lanes.floatMask(i, length);
            a.fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i, m), FloatVector.fromArray(Lanes.FLOATS, y, yOffset + i, m))
                    .intoArray(y, yOffset + i, m);
        }
    }

    @Override
    public void scale(float alpha, float[] x, int offset, int length) {
        ArrayRange.check("x", x, offset, length);
        int i = 0;
        for (int bound = Lanes.FLOATS.loopBound(length); i < bound; i += Lanes.L) {
            FloatVector.fromArray(Lanes.FLOATS, x, offset + i).mul(alpha).intoArray(x, offset + i);
        }
        if (i < length) {
            VectorMask<Float> m = Lanes.floatMask(i, length);
            FloatVector.fromArray(Lanes.FLOATS, x, offset + i, m).mul(alpha).intoArray(x, offset + i, m);
        }
    }

    @Override
    public String toString() {
        return "VectorKernels[" + Lanes.FLOATS + ", " + pool + "]";
    }
}
