package dev.concord.merge.elementwise;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.DenseRows;
import dev.concord.merge.ops.ValueScan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * A task vector read as consecutive row blocks, densified afresh on every pass (nothing larger than one block is
 * held). Blocks always have the same boundaries, so per-block reductions combine identically on every pass.
 */
public final class TaskScan implements ValueScan {
    /** Elements per row block: 64 K floats keep one block of every input in the L2 cache. */
    public static final int BLOCK_ELEMENTS = 1 << 16;

    private final TaskVector tau;
    private final long indexOffset;
    private final int blockRows;

    /** @param indexOffset flat index of the first element (non-zero when scanning a whole model's modules) */
    public TaskScan(TaskVector tau, long indexOffset) {
        this.tau = tau;
        this.indexOffset = indexOffset;
        this.blockRows = blockRows(tau.cols(), tau.rows());
    }

    public static int blockRows(int cols, int rows) {
        return Math.max(1, Math.min(Math.max(1, rows), BLOCK_ELEMENTS / Math.max(1, cols)));
    }

    public TaskVector taskVector() {
        return tau;
    }

    public long numel() {
        return (long) tau.rows() * tau.cols();
    }

    @Override
    public <A> List<A> pass(Supplier<A> fresh, BlockVisitor<A> visitor) {
        int cols = tau.cols();
        float[] buf = new float[blockRows * cols];
        List<A> out = new ArrayList<>();
        for (int r = 0; r < tau.rows(); r += blockRows) {
            int n = Math.min(blockRows, tau.rows() - r);
            DenseRows.of(tau, r, n, buf, 0);
            A acc = fresh.get();
            visitor.visit(acc, indexOffset + (long) r * cols, buf, 0, n * cols);
            out.add(acc);
        }
        return out;
    }

    /** Reads single elements cheaply (an r-term dot product); indices are relative to this module. */
    public LongUnaryOperator sampler() {
        int cols = tau.cols();
        int k = tau.rank();
        float[] l = tau.left().data();
        float[] r = tau.right().data();
        double s = tau.scale();
        return index -> {
            int i = (int) (index / cols);
            int j = (int) (index % cols);
            double acc = 0;
            for (int p = 0; p < k; p++) {
                acc += (double) l[i * k + p] * r[p * cols + j];
            }
            return Float.floatToRawIntBits((float) (s * acc));
        };
    }
}
