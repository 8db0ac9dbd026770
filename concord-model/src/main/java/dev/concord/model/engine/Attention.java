package dev.concord.model.engine;

import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import java.util.Arrays;

/**
 * Causal grouped-query attention over the paged KV cache for every (row, head) of a step, in parallel. Query head h
 * reads kv head {@code h / (heads / kvHeads)}; a row at position p attends to positions [start, p] of its own
 * sequence, start = 0, or {@code p - window + 1} on sliding-window layers (HF: key j is visible when
 * {@code j > p - window}). Scores are {@code q·k / sqrt(head_dim)}; the softmax subtracts the maximum, sums the
 * exponentials in double and normalizes in float32 before weighting the values.
 *
 * <p>Each (row, head) is computed start to end by one thread in a fixed order, so results do not depend on the
 * thread count or on the other rows of the step.
 */
final class Attention implements ComputePool.ChunkTask {
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[256]);

    private final Kernels kernels;
    private final KvBlockPool pool;
    private final int layer;
    private final int heads;
    private final int group;
    private final int headDim;
    private final int qDim;
    private final int window;
    private final float scale;
    private final float[] q;
    private final float[] out;
    private final SequenceKv[] rowKv;
    private final int[] rowPosition;

    Attention(Kernels kernels, KvBlockPool pool, int layer, int heads, int kvHeads, int headDim, int window,
            float[] q, float[] out, SequenceKv[] rowKv, int[] rowPosition) {
        this.kernels = kernels;
        this.pool = pool;
        this.layer = layer;
        this.heads = heads;
        this.group = heads / kvHeads;
        this.headDim = headDim;
        this.qDim = heads * headDim;
        this.window = window;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.q = q;
        this.out = out;
        this.rowKv = rowKv;
        this.rowPosition = rowPosition;
    }

    void run(ComputePool computePool, int rows) {
        computePool.run(rows * heads, this);
    }

    @Override
    public void run(int chunk) {
        int row = chunk / heads;
        int h = chunk % heads;
        int position = rowPosition[row];
        SequenceKv kv = rowKv[row];
        int start = window > 0 ? Math.max(0, position - window + 1) : 0;
        int span = position - start + 1;
        float[] scores = SCORES.get();
        if (scores.length < span) {
            scores = new float[Math.max(span, 2 * scores.length)];
            SCORES.set(scores);
        }
        int qOffset = row * qDim + h * headDim;
        int kvOffset = (h / group) * headDim;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < span; j++) {
            int p = start + j;
            int block = kv.block(p);
            int offset = pool.offset(layer, kv.slot(p)) + kvOffset;
            float s = kernels.dot(q, qOffset, pool.keys(block), offset, headDim) * scale;
            scores[j] = s;
            if (s > max) {
                max = s;
            }
        }
        double sum = 0;
        for (int j = 0; j < span; j++) {
            float e = (float) Math.exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }
        float total = (float) sum;
        int outOffset = row * qDim + h * headDim;
        Arrays.fill(out, outOffset, outOffset + headDim, 0f);
        for (int j = 0; j < span; j++) {
            int p = start + j;
            int block = kv.block(p);
            int offset = pool.offset(layer, kv.slot(p)) + kvOffset;
            kernels.axpy(scores[j] / total, pool.values(block), offset, out, outOffset, headDim);
        }
    }
}
