package dev.concord.model.engine;

import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.LaneSums;
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
 * <p>A chunk is one row and one kv head: the query heads of the group run one after the other in the same chunk,
 * so the group's cached keys and values come from memory once and from the core's cache for the other heads. Each (row, head) is computed start to end by one thread with a fixed
 * sequence of operations, so results do not depend on the thread count or on the other rows of the step.
 */
final class Attention implements ComputePool.ChunkTask {
    private static final VectorSpecies<Float> S = LaneSums.SPECIES;
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[1024]);
    private static final ThreadLocal<int[]> SLOTS = ThreadLocal.withInitial(() -> new int[1024]);

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
        int firstHead = g * group;
        int kvOffset = g * headDim;
        int[] slot = slotOffsets(kv, start, span);
        for (int h = 0; h < group; h++) {
            scores(row * qDim + (firstHead + h) * headDim, kv, start, span, slot, kvOffset, scores, h * span);
        }
        for (int h = 0; h < group; h++) {
            softmax(scores, h * span, span);
            weightValues(scores, h * span, kv, start, span, slot, kvOffset, row * qDim + (firstHead + h) * headDim);
        }
    }

    /** Per position of the span, the offset of its kv head's vector inside its cache block (for this layer). */
    private int[] slotOffsets(SequenceKv kv, int start, int span) {
        int[] slot = SLOTS.get();
        if (slot.length < span) {
            slot = new int[Math.max(span, 2 * slot.length)];
            SLOTS.set(slot);
        }
        for (int j = 0; j < span; j++) {
            slot[j] = pool.offset(layer, kv.slot(start + j));
        }
        return slot;
    }

    /**
     * scores[to + j] = (q · k_j) * scale over the span. Each dot is one FMA chain over the head's lanes in order,
     * then the kernels' fixed lane tree; four positions share one tree pass, which gives the same bits as four
     * single sums, so a score never depends on where its position falls in a group of four.
     */
    private void scores(int qOffset, SequenceKv kv, int start, int span, int[] slot, int kvOffset, float[] scores,
            int to) {
        int j = 0;
        for (; j + 4 <= span; j += 4) {
            float[] k0 = pool.keys(kv.block(start + j));
            float[] k1 = pool.keys(kv.block(start + j + 1));
            float[] k2 = pool.keys(kv.block(start + j + 2));
            float[] k3 = pool.keys(kv.block(start + j + 3));
            int o0 = slot[j] + kvOffset, o1 = slot[j + 1] + kvOffset, o2 = slot[j + 2] + kvOffset,
                    o3 = slot[j + 3] + kvOffset;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
                FloatVector x = FloatVector.fromArray(S, q, qOffset + i);
                a0 = x.fma(FloatVector.fromArray(S, k0, o0 + i), a0);
                a1 = x.fma(FloatVector.fromArray(S, k1, o1 + i), a1);
                a2 = x.fma(FloatVector.fromArray(S, k2, o2 + i), a2);
                a3 = x.fma(FloatVector.fromArray(S, k3, o3 + i), a3);
            }
            if (i < headDim) {
                VectorMask<Float> m = S.indexInRange(i, headDim);
                FloatVector x = FloatVector.fromArray(S, q, qOffset + i, m);
                a0 = x.fma(FloatVector.fromArray(S, k0, o0 + i, m), a0);
                a1 = x.fma(FloatVector.fromArray(S, k1, o1 + i, m), a1);
                a2 = x.fma(FloatVector.fromArray(S, k2, o2 + i, m), a2);
                a3 = x.fma(FloatVector.fromArray(S, k3, o3 + i, m), a3);
            }
            LaneSums.sum4(a0, a1, a2, a3, scores, to + j);
            for (int t = 0; t < 4; t++) {
                scores[to + j + t] *= scale;
            }
        }
        for (; j < span; j++) {
            float[] k = pool.keys(kv.block(start + j));
            int o = slot[j] + kvOffset;
            FloatVector a = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
                a = FloatVector.fromArray(S, q, qOffset + i).fma(FloatVector.fromArray(S, k, o + i), a);
            }
            if (i < headDim) {
                VectorMask<Float> m = S.indexInRange(i, headDim);
                a = FloatVector.fromArray(S, q, qOffset + i, m).fma(FloatVector.fromArray(S, k, o + i, m), a);
            }
            scores[to + j] = LaneSums.sum(a) * scale;
        }
    }

    /**
     * out[d] = sum over the span of p_j * v_j[d], accumulated as fma(p_j, v_j[d], acc) for j in order from +0: the
     * accumulator of each lane chunk stays in a register across the span instead of going through memory per
     * position.
     */
    private void weightValues(float[] p, int from, SequenceKv kv, int start, int span, int[] slot, int kvOffset,
            int outOffset) {
        int i = 0;
        for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < span; j++) {
                float[] values = pool.values(kv.block(start + j));
                acc = FloatVector.fromArray(S, values, slot[j] + kvOffset + i)
                        .fma(FloatVector.broadcast(S, p[from + j]), acc);
            }
            acc.intoArray(out, outOffset + i);
        }
        if (i < headDim) {
            VectorMask<Float> m = S.indexInRange(i, headDim);
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < span; j++) {
                float[] values = pool.values(kv.block(start + j));
                acc = FloatVector.fromArray(S, values, slot[j] + kvOffset + i, m)
                        .fma(FloatVector.broadcast(S, p[from + j]), acc);
            }
            acc.intoArray(out, outOffset + i, m);
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
}
