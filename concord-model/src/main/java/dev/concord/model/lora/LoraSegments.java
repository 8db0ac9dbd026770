package dev.concord.model.lora;

import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How the rows of one forward batch are grouped per adapter, SGMV-style (Punica, S-LoRA): a segment is a run of
 * consecutive rows that use the same adapter with the same weight. Every segment runs a shrink {@code T = X·Aᵀ}
 * ([rows, r]) and an expand {@code Y += w·s · T·Bᵀ} as two small GEMMs over exactly its rows: ranks may differ
 * between adapters, nothing is padded, and a row with several adapters is simply in several segments.
 *
 * <p>Segments are applied in increasing adapter id, so each row accumulates its updates in the same order whatever
 * else is in the batch; with batch-invariant kernels the rows' results are then bitwise independent of the batch.
 */
public final class LoraSegments {
    /** Rows [firstRow, firstRow + rowCount) use {@code adapter} with mix weight {@code weight}. */
    public record Segment(AdapterWeights adapter, float weight, int firstRow, int rowCount) {}

    public static final LoraSegments EMPTY = new LoraSegments(List.of());

    private final List<Segment> segments;
    private final int maxRows;

    private LoraSegments(List<Segment> segments) {
        this.segments = segments;
        this.maxRows = segments.stream().mapToInt(Segment::rowCount).max().orElse(0);
    }

    /**
     * Segments for rows laid out group after group: group g covers {@code rowCounts[g]} rows and runs with
     * {@code mixes[g]}. Neighbouring groups that share an adapter at the same weight form one segment.
     */
    public static LoraSegments plan(List<AdapterMix> mixes, int[] rowCounts) {
        List<Segment> out = new ArrayList<>();
        int row = 0;
        // open runs, one per (adapter, weight) that the previous group also had
        List<Segment> open = new ArrayList<>();
        for (int g = 0; g < mixes.size(); g++) {
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
        return out.isEmpty() ? EMPTY : new LoraSegments(List.copyOf(out));
    }

    public List<Segment> segments() {
        return segments;
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** Scratch floats {@link #apply} needs for adapters of rank up to {@code maxRank}. */
    public int scratchSize(int maxRank) {
        return maxRows * maxRank;
    }

    /**
     * Adds the updates of projection {@code p} of layer {@code layer}: for every segment whose adapter adapts it,
     * {@code Y[rows] += w · s · (X[rows] · Aᵀ) · Bᵀ}. X is [n, in] and Y [n, out], both contiguous from index 0;
     * {@code scratch} holds at least {@link #scratchSize} floats.
     */
    public void apply(Kernels kernels, int layer, Projection p, float[] x, float[] y, float[] scratch) {
        for (Segment s : segments) {
            LoraFactors f = s.adapter().factors(layer, p);
            if (f != null) {
                run(kernels, f, s, x, y, scratch);
            }
        }
    }

    /** As {@link #apply} for the output layer. */
    public void applyLmHead(Kernels kernels, float[] x, float[] y, float[] scratch) {
        for (Segment s : segments) {
            LoraFactors f = s.adapter().lmHead();
            if (f != null) {
                run(kernels, f, s, x, y, scratch);
            }
        }
    }

    private static void run(Kernels kernels, LoraFactors f, Segment s, float[] x, float[] y, float[] scratch) {
        kernels.loraShrink(f.a(), x, s.firstRow(), s.rowCount(), scratch, 0);
        kernels.loraExpand(f.b(), s.weight() * f.scaling(), scratch, 0, s.rowCount(), y, s.firstRow());
    }

    @Override
    public String toString() {
        return "LoraSegments" + Arrays.toString(segments.toArray());
    }
}
