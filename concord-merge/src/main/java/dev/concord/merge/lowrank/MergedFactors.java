package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.ModuleResult;
import dev.concord.tensor.FloatMatrix;
import org.ejml.data.DMatrixRMaj;

/**
 * A low-rank method's result, {@code scale · left · right}, as the merge engine takes it. The methods compute in
 * double and round once here. A result with nothing left (every task absent, zero or cancelled) becomes a rank-one
 * zero rather than rank zero, because a PEFT adapter cannot have r = 0.
 */
final class MergedFactors {
    private MergedFactors() {}

    static ModuleResult.LowRank of(FloatMatrix left, FloatMatrix right, double scale) {
        if (left.cols() == 0) {
            return zero(left.rows(), right.cols());
        }
        return new ModuleResult.LowRank(TaskVector.of(scale, left, right));
    }

    static ModuleResult.LowRank zero(int rows, int cols) {
        return new ModuleResult.LowRank(TaskVector.of(1.0, FloatMatrix.zeros(rows, 1), FloatMatrix.zeros(1, cols)));
    }

    /** The same matrix in float32 (row-major both). */
    static FloatMatrix toFloat(DMatrixRMaj m) {
        float[] out = new float[m.numRows * m.numCols];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) m.data[i];
        }
        return new FloatMatrix(m.numRows, m.numCols, out);
    }

    /** A float32 factor [rows, cols] from a row-major double array. */
    static FloatMatrix toFloat(double[] rowMajor, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) rowMajor[i];
        }
        return new FloatMatrix(rows, cols, out);
    }
}
