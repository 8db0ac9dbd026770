package dev.concord.model.lora;

import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * How the rows of one forward batch are grouped per adapter, SGMV-style (Punica, S-LoRA): a segment is a run of
 * consecutive rows that use the same adapter with the same weight. Every segment runs a shrink {@code T = X·Aᵀ}
 * ([rows, r]) and an expand {@code Y += w·s · T·Bᵀ} as small GEMMs over exactly its rows: ranks may differ between
 * adapters, nothing is padded, and a row with several adapters is simply in several segments.
 *
 * <p>All shrinks of a projection run as one parallel job (one segment per chunk, each writing its own part of the
 * scratch buffer), then all expands as another: one segment per chunk when no row has two adapters, otherwise cut
 * by output columns with every chunk walking the segments in increasing adapter id. Either way each output element
 * receives its updates, in adapter order, through the same kernel operations whatever else is in the batch and
 * however the work is cut; with batch-invariant kernels a row's result is bitwise independent of its batch.
 */
public final class LoraSegments {
    /** Rows [firstRow, firstRow + rowCount) use {@code adapter} with mix weight {@code weight}. */
    public record Segment(AdapterWeights adapter, float weight, int firstRow, int rowCount) {}

    public static final LoraSegments EMPTY = new LoraSegments(List.of(), true);

    /** Output rows of B per expand chunk, at least (a multiple of 4, the kernels' row tile). */
    private static final int MIN_EXPAND_ROWS = 32;

    private final List<Segment> segments;
    private final int totalRows;
    /** No row is in two segments (every sequence has at most one adapter). */
    private final boolean disjoint;

    private LoraSegments(List<Segment> segments, boolean disjoint) {
        this.segments = segments;
        this.totalRows = segments.stream().mapToInt(Segment::rowCount).sum();
        this.disjoint = disjoint;
    }

    /**
     * Segments for rows laid out group after group: group g covers {@code rowCounts[g]} rows and runs with
     * {@code mixes[g]}. Neighbouring groups that share an adapter at the same weight form one segment.
     */
    public static LoraSegments plan(List<AdapterMix> mixes, int[] rowCounts) {
        List<Segment> out = new ArrayList<>();
        int row = 0;
        // runs the previous group had: the current group may extend them
        List<Segment> open = new ArrayList<>();
        boolean disjoint = true;
        for (int g = 0; g < mixes.size(); g++) {
            disjoint &= mixes.get(g).entries().size() <= 1;
            int count = rowCounts[g];
            List<Segment> next = new ArrayList<>();
            for (AdapterMix.Entry e : mixes.get(g).entries()) {
                Segment extended = null;
                for (Segment s : open) {
                    if (s.adapter() == e.adapter() && Float.compare(s.weight(), e.weight()) == 0
                            && s.firstRow() + s.rowCount() == row) {
                        extended = new Segment(s.adapter(), s.weight(), s.firstRow(), s.rowCount() + count);
                        open.remove(s);
                        break;
                    }
                }
                next.add(extended != null ? extended : new Segment(e.adapter(), e.weight(), row, count));
            }
            out.addAll(open);
            open = next;
            row += count;
        }
        out.addAll(open);
        out.removeIf(s -> s.rowCount() == 0);
        out.sort(Comparator.comparingInt((Segment s) -> s.adapter().id()).thenComparingInt(Segment::firstRow));
        return out.isEmpty() ? EMPTY : new LoraSegments(List.copyOf(out), disjoint);
    }

    public List<Segment> segments() {
        return segments;
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** Scratch floats the shrink outputs need for adapters of rank up to {@code maxRank}. */
    public int scratchSize(int maxRank) {
        return totalRows * maxRank;
    }

    /**
     * Adds the updates of projection {@code p} of layer {@code layer}: for every segment whose adapter adapts it,
     * {@code Y[rows] += w · s · (X[rows] · Aᵀ) · Bᵀ}. X is [n, in] and Y [n, out], both contiguous from index 0;
     * {@code scratch} holds at least {@link #scratchSize} floats.
     *
     * @param pool   runs the two parallel jobs
     * @param serial kernels that run on the calling thread (they are called from inside the pool's chunks)
     */
    public void apply(ComputePool pool, Kernels serial, int layer, Projection p, float[] x, float[] y, float[] scratch) {
        run(pool, serial, a -> a.factors(layer, p), x, y, scratch);
    }

    /** As {@link #apply} for the output layer. */
    public void applyLmHead(ComputePool pool, Kernels serial, float[] x, float[] y, float[] scratch) {
        run(pool, serial, AdapterWeights::lmHead, x, y, scratch);
    }

    private void run(ComputePool pool, Kernels serial, Function<AdapterWeights, LoraFactors> pick, float[] x,
            float[] y, float[] scratch) {
        List<Segment> active = new ArrayList<>(segments.size());
        List<LoraFactors> factors = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            LoraFactors f = pick.apply(s.adapter());
            if (f != null) {
                active.add(s);
                factors.add(f);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        int n = active.size();
        int[] tOffset = new int[n];
        float[] alpha = new float[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            tOffset[i] = at;
            at += active.get(i).rowCount() * factors.get(i).rank();
            alpha[i] = active.get(i).weight() * factors.get(i).scaling();
        }
        pool.run(n, i -> {
            Segment s = active.get(i);
            serial.loraShrink(factors.get(i).a(), x, s.firstRow(), s.rowCount(), scratch, tOffset[i]);
        });
        int out = factors.get(0).outFeatures();
        if (disjoint) {
            // each row gets exactly one update: segments write disjoint rows, one whole expand each
            pool.run(n, i -> {
                Segment s = active.get(i);
                serial.loraExpand(factors.get(i).b(), alpha[i], scratch, tOffset[i], s.rowCount(), y, s.firstRow());
            });
            return;
        }
        // rows with several adapters: cut by output columns so each element takes its updates in adapter order
        int rowsPerChunk = Math.max(MIN_EXPAND_ROWS, (out / (2 * pool.threads()) + 3) & ~3);
        int chunks = (out + rowsPerChunk - 1) / rowsPerChunk;
        pool.run(chunks, c -> {
            int first = c * rowsPerChunk;
            int count = Math.min(rowsPerChunk, out - first);
            for (int i = 0; i < n; i++) {
                Segment s = active.get(i);
                LoraFactors f = factors.get(i);
                WeightMatrix b = count == out ? f.b() : f.b().rowRange(first, count);
                serial.matmul(b, scratch, tOffset[i], f.rank(), s.rowCount(), y, s.firstRow() * out + first, out,
                        alpha[i], null, true);
            }
        });
    }

    @Override
    public String toString() {
        return "LoraSegments" + Arrays.toString(segments.toArray());
    }
}
