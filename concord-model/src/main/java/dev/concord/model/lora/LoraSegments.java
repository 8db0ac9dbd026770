package dev.concord.model.lora;

import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * How the rows of one forward batch are grouped per adapter, SGMV-style (Punica, S-LoRA): a segment is a run of
 * consecutive rows that use the same adapter with the same weight. Every segment runs a shrink {@code T = X·Aᵀ}
 * ([rows, r], a small GEMM in the kernels) and an expand {@code Y += w·s · T·Bᵀ} ({@link LoraExpand}, along output
 * columns) over exactly its rows: ranks may differ between adapters, nothing is padded, and a row with several
 * adapters is simply in several segments.
 *
 * <p>The updates of projections that read the same input (q, k and v; gate and up) run together. When no row has
 * two adapters, one parallel job does it all, a chunk per (segment, projection) running its shrink then its
 * expand. Otherwise the shrinks run as one job (each writing its own part of the scratch buffer) and the expands as
 * another, cut by output columns, every chunk walking the segments in increasing adapter id. Either way each output
 * element receives its updates, in adapter order, through the same operations whatever else is in the batch and
 * however the work is cut; with batch-invariant kernels a row's result is bitwise independent of its batch.
 */
public final class LoraSegments {
    /** Rows [firstRow, firstRow + rowCount) use {@code adapter} with mix weight {@code weight}. */
    public record Segment(AdapterWeights adapter, float weight, int firstRow, int rowCount) {}

    public static final LoraSegments EMPTY = new LoraSegments(List.of(), true);

    /** Output columns per expand chunk, at least. */
    private static final int MIN_EXPAND_COLUMNS = 64;

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

    /** Scratch floats {@link #apply} needs for up to {@code projections} projections of rank up to {@code maxRank}. */
    public int scratchSize(int maxRank, int projections) {
        return totalRows * maxRank * projections;
    }

    /**
     * Adds the updates of the projections {@code ps} of layer {@code layer}, which all read the same input: for
     * every segment whose adapter adapts projection {@code ps[k]}, {@code Y_k[rows] += w · s · (X[rows] · Aᵀ) · Bᵀ}.
     * X is [n, in] and each {@code ys[k]} is [n, out_k], contiguous from index 0; {@code scratch} holds at least
     * {@link #scratchSize scratchSize(maxRank, ps.length)} floats.
     *
     * @param pool   runs the parallel jobs
     * @param serial kernels that run on the calling thread (they are called from inside the pool's chunks)
     */
    public void apply(ComputePool pool, Kernels serial, int layer, Projection[] ps, float[] x, float[][] ys,
            float[] scratch) {
        List<Update> updates = new ArrayList<>();
        for (int k = 0; k < ps.length; k++) {
            Projection p = ps[k];
            collect(a -> a.factors(layer, p), ys[k], updates);
        }
        run(pool, serial, x, updates, scratch);
    }

    /** As {@link #apply} for the output layer. */
    public void applyLmHead(ComputePool pool, Kernels serial, float[] x, float[] y, float[] scratch) {
        List<Update> updates = new ArrayList<>();
        collect(AdapterWeights::lmHead, y, updates);
        run(pool, serial, x, updates, scratch);
    }

    /** One segment's update of one output: its factors, where its shrink output goes, and its output. */
    private record Update(Segment segment, LoraFactors factors, float alpha, float[] y, int tOffset) {}

    private void collect(Function<AdapterWeights, LoraFactors> pick, float[] y, List<Update> out) {
        int at = out.isEmpty() ? 0 : out.getLast().tOffset() + out.getLast().segment().rowCount()
                * out.getLast().factors().rank();
        for (Segment s : segments) {
            LoraFactors f = pick.apply(s.adapter());
            if (f != null) {
                out.add(new Update(s, f, s.weight() * f.scaling(), y, at));
                at += s.rowCount() * f.rank();
            }
        }
    }

    private void run(ComputePool pool, Kernels serial, float[] x, List<Update> updates, float[] scratch) {
        int n = updates.size();
        if (n == 0) {
            return;
        }
        if (disjoint) {
            // every row of an output gets exactly one update: one chunk per update does its shrink and its expand
            pool.run(n, i -> {
                Update u = updates.get(i);
                Segment s = u.segment();
                LoraFactors f = u.factors();
                serial.loraShrink(f.a(), x, s.firstRow(), s.rowCount(), scratch, u.tOffset());
                LoraExpand.run(f.bTransposed(), f.rank(), f.outFeatures(), u.alpha(), scratch, u.tOffset(),
                        s.rowCount(), u.y(), s.firstRow(), 0, f.outFeatures());
            });
            return;
        }
        pool.run(n, i -> {
            Update u = updates.get(i);
            serial.loraShrink(u.factors().a(), x, u.segment().firstRow(), u.segment().rowCount(), scratch, u.tOffset());
        });
        // rows with several adapters: cut each output by columns so each element takes its updates in adapter order
        List<int[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i == 0 || updates.get(i).y() != updates.get(i - 1).y()) {
                int out = updates.get(i).factors().outFeatures();
                int colsPerChunk = Math.max(MIN_EXPAND_COLUMNS, (out / (2 * pool.threads()) + 15) & ~15);
                for (int first = 0; first < out; first += colsPerChunk) {
                    chunks.add(new int[] {i, first, Math.min(out, first + colsPerChunk)});
                }
            }
        }
        pool.run(chunks.size(), c -> {
            int[] chunk = chunks.get(c);
            float[] y = updates.get(chunk[0]).y();
            for (int i = chunk[0]; i < n && updates.get(i).y() == y; i++) {
                Update u = updates.get(i);
                LoraFactors f = u.factors();
                LoraExpand.run(f.bTransposed(), f.rank(), f.outFeatures(), u.alpha(), scratch, u.tOffset(),
                        u.segment().rowCount(), y, u.segment().firstRow(), chunk[1], chunk[2]);
            }
        });
    }

    @Override
    public String toString() {
        return "LoraSegments" + Arrays.toString(segments.toArray());
    }
}
