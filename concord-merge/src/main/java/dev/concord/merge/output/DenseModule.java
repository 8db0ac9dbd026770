package dev.concord.merge.output;

import dev.concord.adapter.TaskVector;
import dev.concord.error.ConcordException;
import dev.concord.merge.DenseRows;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.elementwise.TaskScan;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.linalg.RowBlockSource;

/**
 * A module's merged update made ready to be streamed as dense rows by a writer thread: small enough results are
 * densified on the worker (so that the expensive part runs in parallel) and held as one array; larger ones stay
 * a re-readable source and are densified while being written.
 */
public final class DenseModule {
    /** Up to 64 M elements (256 MB) per module are densified ahead of writing. */
    static final long MATERIALIZE_LIMIT = 1L << 26;

    private final int rows;
    private final int cols;
    private final float[] values;
    private final RowBlockSource source;

    private DenseModule(int rows, int cols, float[] values, RowBlockSource source) {
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.source = source;
    }

    /** Runs on a worker: densifies element-wise results that fit; low-rank ones are cheap to densify later. */
    static DenseModule prepare(ModuleResult result) {
        int rows = result.rows();
        int cols = result.cols();
        return switch (result) {
            case ModuleResult.LowRank lr -> new DenseModule(rows, cols, null,
                    lr.dense() != null ? lr.dense() : lowRankRows(lr.tau()));
            case ModuleResult.Dense d when (long) rows * cols <= MATERIALIZE_LIMIT -> {
                float[] all = new float[rows * cols];
                d.source().forEachBlock((start, block) ->
                        System.arraycopy(block.data(), 0, all, start * cols, block.data().length));
                yield new DenseModule(rows, cols, all, null);
            }
            case ModuleResult.Dense d -> new DenseModule(rows, cols, null, d.source());
        };
    }

    /**
     * The source produced once and held in memory when it fits under {@link #MATERIALIZE_LIMIT}, so that the
     * passes of a randomized SVD re-read memory instead of re-running the merge; larger sources are returned as
     * they are (re-computed on every pass, memory stays one block).
     */
    static RowBlockSource cached(RowBlockSource source) {
        int rows = source.rows();
        int cols = source.cols();
        if ((long) rows * cols > MATERIALIZE_LIMIT) {
            return source;
        }
        float[] all = new float[rows * cols];
        source.forEachBlock((start, block) -> System.arraycopy(block.data(), 0, all, start * cols, block.data().length));
        int blockRows = TaskScan.blockRows(cols, rows);
        return new RowBlockSource() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                for (int r = 0; r < rows; r += blockRows) {
                    int n = Math.min(blockRows, rows - r);
                    consumer.accept(r, new FloatMatrix(n, cols, java.util.Arrays.copyOfRange(all, r * cols, (r + n) * cols)));
                }
            }
        };
    }

    static RowBlockSource lowRankRows(TaskVector tau) {
        int blockRows = TaskScan.blockRows(tau.cols(), tau.rows());
        return new RowBlockSource() {
            @Override
            public int rows() {
                return tau.rows();
            }

            @Override
            public int cols() {
                return tau.cols();
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                for (int r = 0; r < tau.rows(); r += blockRows) {
                    int n = Math.min(blockRows, tau.rows() - r);
                    float[] block = new float[n * tau.cols()];
                    DenseRows.of(tau, r, n, block, 0);
                    consumer.accept(r, new FloatMatrix(n, tau.cols(), block));
                }
            }
        };
    }

    /** Hands the rows to {@code sink} in order (row blocks), checking that every value is finite. */
    void stream(String module, RowSink sink) {
        if (values != null) {
            int step = TaskScan.blockRows(cols, rows) * cols;
            for (int off = 0; off < values.length; off += step) {
                int len = Math.min(step, values.length - off);
                checkFinite(module, values, off, len, off);
                sink.accept(off / cols, values, off, len);
            }
            return;
        }
        int[] expected = {0};
        source.forEachBlock((start, block) -> {
            if (start != expected[0]) {
                throw new IllegalStateException(module + ": row block at " + start + " arrived out of order");
            }
            float[] d = block.data();
            checkFinite(module, d, 0, d.length, (long) start * cols);
            sink.accept(start, d, 0, d.length);
            expected[0] = start + block.rows();
        });
    }

    private void checkFinite(String module, float[] v, int off, int len, long firstIndex) {
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(v[off + i])) {
                long at = firstIndex + i;
                throw new ConcordException("merged update of " + module + " has a non-finite value " + v[off + i]
                        + " at [" + at / cols + ", " + at % cols + "] (overflow in the merge; check the weights)");
            }
        }
    }

    /** Receives consecutive rows as a slice of an array. */
    @FunctionalInterface
    interface RowSink {
        void accept(int firstRow, float[] values, int offset, int length);
    }
}
