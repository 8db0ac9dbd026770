package dev.concord.model.engine;

import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.tensor.kernel.ComputePool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention over the paged KV cache for every row of a step, in parallel. Query head h reads
 * kv head {@code h / (heads / kvHeads)}; a row at position p attends to positions [start, p] of its own sequence,
 * start = 0, or {@code p - window + 1} on sliding-window layers (HF: key j is visible when {@code j > p - window}).
 * Scores are {@code q·k / sqrt(head_dim)}; the softmax subtracts the maximum, sums the exponentials in double and
 * normalizes in float32 before weighting the values.
 *
 * <p>A chunk is one row and one kv head: the query heads of the group are handled together so each cached key and
 * value is read once for all of them. Each (row, head) is computed start to end by one thread with a fixed
 * sequence of operations, so results do not depend on the thread count or on the other rows of the step.
 */
final class Attention implements ComputePool.ChunkTask {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[1024]);
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[S.length()]);

    private final KvBlockPool pool;
    private final int layer;
    private final int heads;
    private final int kvHeads;
    private final int group;
    private final int headDim;
    private final int qDim;
    private final int window;
    private final float scale;
    private final float[] q;
    private final float[] out;
    private final SequenceKv[] rowKv;
    private final int[] rowPosition;

    Attention(KvBlockPool pool, int layer, int heads, int kvHeads, int headDim, int window, float[] q, float[] out,
            SequenceKv[] rowKv, int[] rowPosition) {
        this.pool = pool;
        this.layer = layer;
        this.heads = heads;
        this.kvHeads = kvHeads;
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
        computePool.run(rows * kvHeads, this);
    }

    @Override
    public void run(int chunk) {
        int row = chunk / kvHeads;
        int g = chunk % kvHeads;
        int position = rowPosition[row];
        SequenceKv kv = rowKv[row];
        int start = window > 0 ? Math.max(0, position - window + 1) : 0;
        int span = position - start + 1;
        float[] scores = SCORES.get();
        if (scores.length < span * group) {
            scores = new float[Math.max(span * group, 2 * scores.length)];
            SCORES.set(scores);
        }
        float[] lanes = LANES.get();
        int firstHead = g * group;
        int kvOffset = g * headDim;
        for (int j = 0; j < span; j++) {
            int p = start + j;
            float[] keys = pool.keys(kv.block(p));
            int k = pool.offset(layer, kv.slot(p)) + kvOffset;
            for (int h = 0; h < group; h++) {
                scores[h * span + j] = dot(q, row * qDim + (firstHead + h) * headDim, keys, k, lanes) * scale;
            }
        }
        for (int h = 0; h < group; h++) {
            softmax(scores, h * span, span);
            int o = row * qDim + (firstHead + h) * headDim;
            for (int d = 0; d < headDim; d++) {
                out[o + d] = 0f;
            }
        }
        for (int j = 0; j < span; j++) {
            int p = start + j;
            float[] values = pool.values(kv.block(p));
            int v = pool.offset(layer, kv.slot(p)) + kvOffset;
            for (int h = 0; h < group; h++) {
                axpy(scores[h * span + j], values, v, out, row * qDim + (firstHead + h) * headDim);
            }
        }
    }

    /** Turns scores[from, from + n) into probabilities. */
    private static void softmax(float[] scores, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, scores[from + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(scores[from + j] - max);
            scores[from + j] = e;
            sum += e;
        }
        float total = (float) sum;
        for (int j = 0; j < n; j++) {
            scores[from + j] = scores[from + j] / total;
        }
    }

    private float dot(float[] a, int aOffset, float[] b, int bOffset, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOffset + i).fma(FloatVector.fromArray(S, b, bOffset + i), acc);
        }
        if (i < headDim) {
            VectorMask<Float> m = S.indexInRange(i, headDim);
            acc = FloatVector.fromArray(S, a, aOffset + i, m).fma(FloatVector.fromArray(S, b, bOffset + i, m), acc);
        }
        // lanes summed in index order by plain float adds: reduceLanes may add in another order once the JIT
        // intrinsifies it, and a result must not depend on how far the code happens to be compiled
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (int l = 0; l < lanes.length; l++) {
            sum += lanes[l];
        }
        return sum;
    }

    /** y[yOffset + d] = fma(alpha, x[xOffset + d], y[yOffset + d]) for d in [0, headDim). */
    private void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOffset + i).fma(a, FloatVector.fromArray(S, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        if (i < headDim) {
            VectorMask<Float> m = S.indexInRange(i, headDim);
            FloatVector.fromArray(S, x, xOffset + i, m).fma(a, FloatVector.fromArray(S, y, yOffset + i, m))
                    .intoArray(y, yOffset + i, m);
        }
    }
}
