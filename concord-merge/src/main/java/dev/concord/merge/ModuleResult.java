package dev.concord.merge;

import dev.concord.adapter.TaskVector;
import dev.concord.tensor.linalg.RowBlockSource;

/**
 * What a method produces for one module: either a factored update (exact and cheap to store as an adapter) or a
 * dense update that can only be read as row blocks (element-wise methods), which writers densify or compress.
 */
public sealed interface ModuleResult {
    int rows();

    int cols();

    /**
     * The merged update as {@code scale · left · right}; written exactly when the output format allows.
     *
     * @param dense how to read the update as dense rows, or null to densify the product; a weighted sum supplies
     *     its terms' sum here so that, e.g., τ − τ is exactly zero rather than a rounding residue
     */
    record LowRank(TaskVector tau, RowBlockSource dense) implements ModuleResult {
        public LowRank(TaskVector tau) {
            this(tau, null);
        }

        @Override
        public int rows() {
            return tau.rows();
        }

        @Override
        public int cols() {
            return tau.cols();
        }
    }

    /**
     * A dense update as row blocks. {@link RowBlockSource#forEachBlock} may be called several times and gives the
     * same values each time (the masks and thresholds are fixed when the result is made).
     */
    record Dense(RowBlockSource source) implements ModuleResult {
        @Override
        public int rows() {
            return source.rows();
        }

        @Override
        public int cols() {
            return source.cols();
        }
    }
}
