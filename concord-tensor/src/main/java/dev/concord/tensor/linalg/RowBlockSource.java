package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.FloatMatrix;

import java.util.Arrays;

/**
 * A [rows, cols] matrix that is too large to hold (or to hold more than once) and is therefore delivered as
 * consecutive dense row blocks: a merged delta densified block by block, a tensor read from a checkpoint shard.
 *
 * <p>{@link #forEachBlock} may be called several times (one call per pass) and must deliver the same values each
 * time; every row must be covered exactly once per pass. Blocks of a few dozen rows or more keep the consumers
 * efficient.
 */
public interface RowBlockSource {
    int rows();

    int cols();

    /** Delivers every row once, as blocks of whole rows, in any order. */
    void forEachBlock(BlockConsumer consumer);

    /** Receives one block: rows [rowStart, rowStart + block.rows()) of the matrix. */
    @FunctionalInterface
    interface BlockConsumer {
        void accept(int rowStart, FloatMatrix block);
    }

    /** A matrix already in memory, handed out in blocks of {@code blockRows} rows (copies, so consumers may keep them). */
    static RowBlockSource of(FloatMatrix matrix, int blockRows) {
        if (blockRows <= 0) {
            throw new InvalidInputException("row block size must be positive, got " + blockRows);
        }
        return new RowBlockSource() {
            @Override
            public int rows() {
                return matrix.rows();
            }

            @Override
            public int cols() {
                return matrix.cols();
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                int cols = matrix.cols();
                for (int r = 0; r < matrix.rows(); r += blockRows) {
                    int n = Math.min(blockRows, matrix.rows() - r);
                    float[] block = Arrays.copyOfRange(matrix.data(), r * cols, (r + n) * cols);
                    consumer.accept(r, new FloatMatrix(n, cols, block));
                }
            }
        };
    }
}
