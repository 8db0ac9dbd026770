package dev.concord.merge;

import dev.concord.adapter.TaskVector;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Merges of in-memory task vectors for tests, read back as dense row-major arrays. */
final class TestMerges {
    private TestMerges() {}

    static TaskVector random(Random r, int rows, int cols, int rank, double scale) {
        float[] l = new float[rows * rank];
        float[] a = new float[rank * cols];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return TaskVector.of(scale, new FloatMatrix(rows, rank, l), new FloatMatrix(rank, cols, a));
    }

    static ModuleInputs inputs(String method, Map<String, Object> params, List<TaskVector> taus, double[] w, long seed) {
        MergeMethod m = MethodRegistry.get(method);
        List<AdapterInput> fake = new ArrayList<>();
        for (double x : w) {
            fake.add(new AdapterInput("x", java.nio.file.Path.of("x"), x));
        }
        ModuleParameters p = ModuleParameters.resolve(m, new FixedParameters(params, fake), "model.layers.0.mlp.up_proj",
                0, taus.size());
        m.check(p, "model.layers.0.mlp.up_proj");
        return ModuleInputs.ofTaskVectors("model.layers.0.mlp.up_proj", taus, w, p, seed);
    }

    static float[] merge(String method, Map<String, Object> params, List<TaskVector> taus, double[] w, long seed) {
        ModuleInputs in = inputs(method, params, taus, w, seed);
        return dense(MethodRegistry.get(method).merge(in));
    }

    static float[] dense(ModuleResult r) {
        int cols = r.cols();
        float[] out = new float[r.rows() * cols];
        switch (r) {
            case ModuleResult.LowRank lr when lr.dense() != null -> lr.dense().forEachBlock(
                    (start, b) -> System.arraycopy(b.data(), 0, out, start * cols, b.data().length));
            case ModuleResult.LowRank lr -> DenseRows.of(lr.tau(), 0, r.rows(), out, 0);
            case ModuleResult.Dense d -> d.source().forEachBlock(
                    (start, b) -> System.arraycopy(b.data(), 0, out, start * cols, b.data().length));
        }
        return out;
    }

    /** Σ_i w_i τ_i in double, from TaskVector's own (double) densification. */
    static double[] weightedSum(List<TaskVector> taus, double[] w) {
        TaskVector first = taus.getFirst();
        double[] out = new double[first.rows() * first.cols()];
        for (int i = 0; i < taus.size(); i++) {
            float[] d = taus.get(i).dense().data();
            for (int j = 0; j < d.length; j++) {
                out[j] += w[i] * d[j];
            }
        }
        return out;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
