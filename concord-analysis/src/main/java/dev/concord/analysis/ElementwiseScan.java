package dev.concord.analysis;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.DenseRows;
import dev.concord.merge.elementwise.TaskScan;
import dev.concord.merge.ops.DareMask;
import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.merge.ops.TopMagnitudeSelection;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Reads the element-wise picture of one module into an {@link ElementwiseTally}: each adapter's dense values, its
 * magnitude trim (top k = int(density·numel) of |tau| per tensor, as PEFT's {@code magnitude_based_pruning} and
 * {@code concord merge --method ties} trim) and its DARE drop (keep with probability density, rescale by
 * 1/density, with the masks {@code concord merge --method dare_ties --seed S} draws for the same adapters in the
 * same order).
 *
 * <ul>
 *   <li>{@link #exact}: every position, streamed by row blocks (memory: one block per adapter). The cut is the exact
 *       per-tensor top-k of concord-merge's {@link TopMagnitudeSelection}, over the same float values
 *       ({@link DenseRows}) that the merge engine densifies.</li>
 *   <li>{@link #sampled}: N positions drawn uniformly (with replacement, seeded per module), each value computed
 *       from the factors as an r-term dot product; the trim threshold is the same top-density quantile taken
 *       within the sample. Cost O(N·r) per adapter whatever the size of the layer.</li>
 * </ul>
 */
public final class ElementwiseScan {
    /** Salt of the counter-based stream that picks sampled positions (distinct from the merge masks' streams). */
    static final long SAMPLE_STREAM = 0x5A3B1EL;
    /** Row blocks per parallel task; fixed so that summation order never depends on the thread count. */
    private static final int BLOCKS_PER_TASK = 4;

    private ElementwiseScan() {}

    /**
     * Every position of the module.
     *
     * @param taus one per adapter, null where the adapter does not target the module
     */
    public static ElementwiseTally exact(String module, int rows, int cols, TaskVector[] taus, double density,
            long seed, double[] weights, int depth) {
        int n = taus.length;
        long numel = (long) rows * cols;
        MagnitudeCut[] cuts = new MagnitudeCut[n];
        MaskRandom[] masks = new MaskRandom[n];
        long k = MagnitudeCut.keepCount(density, numel);
        for (int i = 0; i < n; i++) {
            if (taus[i] != null) {
                TaskScan scan = new TaskScan(taus[i], 0);
                cuts[i] = new TopMagnitudeSelection().select(scan, numel, k, scan.sampler());
                masks[i] = MaskRandom.of(seed, MaskRandom.STREAM_DARE, module, i);
            }
        }
        int blockRows = TaskScan.blockRows(cols, rows);
        int blocks = (rows + blockRows - 1) / blockRows;
        int tasks = (blocks + BLOCKS_PER_TASK - 1) / BLOCKS_PER_TASK;
        List<ElementwiseTally> parts = IntStream.range(0, tasks).parallel().mapToObj(t -> {
            ElementwiseTally tally = new ElementwiseTally(n, depth);
            int firstBlock = t * BLOCKS_PER_TASK;
            int lastBlock = Math.min(blocks, firstBlock + BLOCKS_PER_TASK);
            for (int blk = firstBlock; blk < lastBlock; blk++) {
                int r0 = blk * blockRows;
                int nr = Math.min(blockRows, rows - r0);
                int len = nr * cols;
                long first = (long) r0 * cols;
                float[][] values = new float[n][];
                float[][] trimmed = new float[n][];
                float[][] dropped = new float[n][];
                for (int i = 0; i < n; i++) {
                    if (taus[i] == null) {
                        continue;
                    }
                    values[i] = new float[len];
                    DenseRows.of(taus[i], r0, nr, values[i], 0);
                    trimmed[i] = trim(values[i], cuts[i], first);
                    dropped[i] = values[i].clone();
                    DareMask.apply(masks[i], density, 1.0 / density, dropped[i], 0, len, first);
                }
                tally.add(values, trimmed, dropped, len, weights);
            }
            return tally;
        }).toList();
        ElementwiseTally total = new ElementwiseTally(n, depth);
        parts.forEach(total::addAll);
        return total;
    }

    /**
     * {@code samples} seeded positions of the module (all of them, exactly, when the module has no more).
     */
    public static ElementwiseTally sampled(String module, int rows, int cols, TaskVector[] taus, double density,
            long seed, double[] weights, int depth, int samples) {
        long numel = (long) rows * cols;
        if (samples >= numel) {
            return exact(module, rows, cols, taus, density, seed, weights, depth);
        }
        int n = taus.length;
        long[] at = positions(module, numel, samples, seed);
        float[][] values = new float[n][];
        float[][] trimmed = new float[n][];
        float[][] dropped = new float[n][];
        long k = MagnitudeCut.keepCount(density, samples);
        float rescale = (float) (1.0 / density);
        IntStream.range(0, n).parallel().forEach(i -> {
            if (taus[i] == null) {
                return;
            }
            float[] v = values(taus[i], at);
            MagnitudeCut cut = sampleCut(v, k);
            float[] t = new float[samples];
            float[] d = new float[samples];
            MaskRandom mask = MaskRandom.of(seed, MaskRandom.STREAM_DARE, module, i);
            for (int j = 0; j < samples; j++) {
                t[j] = cut.keeps(Math.abs(v[j]), 0) ? v[j] : 0f;
                d[j] = mask.keep(at[j], density) ? v[j] * rescale : 0f;
            }
            values[i] = v;
            trimmed[i] = t;
            dropped[i] = d;
        });
        ElementwiseTally tally = new ElementwiseTally(n, depth);
        tally.add(values, trimmed, dropped, samples, weights);
        return tally;
    }

    /** Flat indices of the sampled positions: a pure function of (seed, module, j). */
    static long[] positions(String module, long numel, int samples, long seed) {
        MaskRandom r = MaskRandom.of(seed, SAMPLE_STREAM, module, 0);
        long[] at = new long[samples];
        for (int j = 0; j < samples; j++) {
            at[j] = Math.min(numel - 1, (long) (r.uniform(j) * numel));
        }
        return at;
    }

    /** tau at the given flat indices, each an r-term dot product of the factors (concord-merge's sampler). */
    static float[] values(TaskVector tau, long[] at) {
        java.util.function.LongUnaryOperator sampler = new TaskScan(tau, 0).sampler();
        float[] out = new float[at.length];
        for (int j = 0; j < at.length; j++) {
            out[j] = Float.intBitsToFloat((int) sampler.applyAsLong(at[j]));
        }
        return out;
    }

    /** Keeps |v| at or above the k-th largest magnitude of the sample (ties all kept: they are rare and harmless). */
    static MagnitudeCut sampleCut(float[] v, long k) {
        if (k <= 0) {
            return MagnitudeCut.KEEP_NONE;
        }
        if (k >= v.length) {
            return MagnitudeCut.KEEP_ALL;
        }
        float[] abs = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            abs[j] = Math.abs(v[j]);
        }
        Arrays.sort(abs);
        return new MagnitudeCut(abs[(int) (v.length - k)], Long.MAX_VALUE);
    }

    private static float[] trim(float[] values, MagnitudeCut cut, long first) {
        float[] t = values.clone();
        if (cut == MagnitudeCut.KEEP_ALL) {
            return t;
        }
        for (int j = 0; j < t.length; j++) {
            if (!cut.keeps(Math.abs(t[j]), first + j)) {
                t[j] = 0f;
            }
        }
        return t;
    }
}
