package dev.concord.merge.methods;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.DenseRows;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.elementwise.TaskScan;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.linalg.RowBlockSource;

/**
 * Exact weighted sums of factored task vectors by rank concatenation: Σ_i c_i·s_i·B_i·A_i =
 * [c_1 s_1 B_1 | c_2 s_2 B_2 | …] · [A_1; A_2; …]. Nothing is densified; the rank is the sum of the ranks.
 */
final class LinearSums {
    private LinearSums() {}

    /** Σ_i coefficient_i · τ_i over the adapters present on the module, in input order. */
    static TaskVector concatenate(ModuleInputs in, double[] coefficients) {
        int rows = in.rows();
        int cols = in.cols();
        int total = 0;
        for (int i = 0; i < in.count(); i++) {
            if (in.present(i)) {
                total += in.taskVector(i).rank();
            }
        }
        float[] left = new float[rows * total];
        float[] right = new float[total * cols];
        int at = 0;
        for (int i = 0; i < in.count(); i++) {
            TaskVector t = in.taskVector(i);
            if (t == null) {
                continue;
            }
            int k = t.rank();
            double c = coefficients[i] * t.scale();
            float[] l = t.left().data();
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < k; p++) {
                    left[r * total + at + p] = (float) (c * l[r * k + p]);
                }
            }
            System.arraycopy(t.right().data(), 0, right, at * cols, k * cols);
            at += k;
        }
        return TaskVector.of(1.0, new FloatMatrix(rows, total, left), new FloatMatrix(total, cols, right));
    }

    /**
     * The weighted sum as a factored result whose dense rows are Σ_i c_i·τ_i term by term, each τ_i densified in
     * float exactly as on its own and the sum taken in double: weights that cancel give exact zeros.
     */
    static ModuleResult.LowRank result(ModuleInputs in, double[] coefficients) {
        TaskVector tau = concatenate(in, coefficients);
        double[] c = coefficients.clone();
        RowBlockSource dense = new RowBlockSource() {
            @Override
            public int rows() {
                return in.rows();
            }

            @Override
            public int cols() {
                return in.cols();
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                int cols = in.cols();
                int blockRows = TaskScan.blockRows(cols, in.rows());
                float[] term = new float[blockRows * cols];
                double[] acc = new double[blockRows * cols];
                for (int r = 0; r < in.rows(); r += blockRows) {
                    int n = Math.min(blockRows, in.rows() - r);
                    java.util.Arrays.fill(acc, 0.0);
                    for (int i = 0; i < in.count(); i++) {
                        TaskVector t = in.taskVector(i);
                        if (t == null) {
                            continue;
                        }
                        DenseRows.of(t, r, n, term, 0);
                        for (int j = 0; j < n * cols; j++) {
                            acc[j] += c[i] * term[j];
                        }
                    }
                    float[] out = new float[n * cols];
                    for (int j = 0; j < out.length; j++) {
                        out[j] = (float) acc[j];
                    }
                    consumer.accept(r, new FloatMatrix(n, cols, out));
                }
            }
        };
        return new ModuleResult.LowRank(tau, dense);
    }

    /** mergekit's normalize divisor: Σ_i w_i over all adapters, 1 when it is (almost) 0. */
    static double normalizer(ModuleInputs in) {
        double s = 0;
        for (int i = 0; i < in.count(); i++) {
            s += in.weight(i);
        }
        return Math.abs(s) < 1e-8 ? 1.0 : s;
    }
}
