package dev.concord.merge.elementwise;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.DenseRows;
import dev.concord.merge.ModuleInputs;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.linalg.RowBlockSource;

/**
 * The dense result of an element-wise method on one module, produced block by block: for every row block, each
 * adapter's task vector is densified from its factors, sparsified, and the stack is combined and scaled by λ.
 * {@link #prepare()} runs the sparsifiers' passes once (thresholds, norms); afterwards every call of
 * {@link #forEachBlock} yields exactly the same values, so SVD passes can re-read it. Memory: one block per
 * adapter, whatever the size of the module.
 */
public final class ElementwiseMerge implements RowBlockSource {
    private final ModuleInputs inputs;
    private final Sparsifier[] sparsifiers;
    private final Combination combination;
    private final double lambda;
    private final int blockRows;
    private boolean prepared;

    /** @param sparsifiers one per adapter (entries of absent adapters are ignored) */
    public ElementwiseMerge(ModuleInputs inputs, Sparsifier[] sparsifiers, Combination combination, double lambda) {
        this.inputs = inputs;
        this.sparsifiers = sparsifiers.clone();
        this.combination = combination;
        this.lambda = lambda;
        this.blockRows = TaskScan.blockRows(inputs.cols(), inputs.rows());
    }

    /** Fixes thresholds and norms; idempotent. */
    public synchronized ElementwiseMerge prepare() {
        if (!prepared) {
            for (int i = 0; i < inputs.count(); i++) {
                TaskVector tau = inputs.taskVector(i);
                if (tau != null) {
                    sparsifiers[i].prepare(new TaskScan(tau, 0));
                }
            }
            prepared = true;
        }
        return this;
    }

    @Override
    public int rows() {
        return inputs.rows();
    }

    @Override
    public int cols() {
        return inputs.cols();
    }

    @Override
    public void forEachBlock(BlockConsumer consumer) {
        prepare();
        int cols = inputs.cols();
        int n = inputs.count();
        float[][] stack = new float[n][];
        TaskVector[] taus = new TaskVector[n];
        for (int i = 0; i < n; i++) {
            taus[i] = inputs.taskVector(i);
            if (taus[i] != null) {
                stack[i] = new float[blockRows * cols];
            }
        }
        double[] weights = inputs.weights();
        for (int r = 0; r < inputs.rows(); r += blockRows) {
            int rowCount = Math.min(blockRows, inputs.rows() - r);
            int len = rowCount * cols;
            for (int i = 0; i < n; i++) {
                if (taus[i] != null) {
                    DenseRows.of(taus[i], r, rowCount, stack[i], 0);
                    sparsifiers[i].apply(stack[i], r, rowCount, cols);
                }
            }
            float[] out = new float[len];
            combination.combine(stack, weights, len, out);
            if (lambda != 1.0) {
                float l = (float) lambda;
                for (int j = 0; j < len; j++) {
                    out[j] *= l;
                }
            }
            consumer.accept(r, new FloatMatrix(rowCount, cols, out));
        }
    }
}
