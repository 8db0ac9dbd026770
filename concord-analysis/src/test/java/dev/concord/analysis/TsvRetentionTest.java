package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.TaskVector;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.ModuleResult;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TSV-Merge retention from Gram blocks against the merged update concord-merge's {@code tsv} method actually
 * produces, and the alignment with the task-arithmetic merge against a dense projection.
 */
class TsvRetentionTest {
    @TempDir
    Path tmp;

    private static FloatMatrix firstRows(FloatMatrix m, int rows) {
        return new FloatMatrix(rows, m.cols(), Arrays.copyOf(m.data(), rows * m.cols()));
    }

    @Test
    void tsvRetentionMatchesTheMergeEngine() {
        Map<String, FloatMatrix[]> a = TestAdapters.random(21, 4, 0.5);
        Map<String, FloatMatrix[]> b = TestAdapters.random(22, 3, 0.5);
        FloatMatrix[] qa = a.get("model.layers.0.self_attn.q_proj");
        b.put("model.layers.0.self_attn.q_proj", new FloatMatrix[] {firstRows(qa[0], 3), b.get("model.layers.0.self_attn.q_proj")[1]});
        Map<String, FloatMatrix[]> c = TestAdapters.only(TestAdapters.random(23, 5, 0.5), "model.layers.0.mlp.down_proj");
        List<LoraAdapter> open = new ArrayList<>();
        try {
            open.add(TestAdapters.write(tmp.resolve("a"), a, 8));
            open.add(TestAdapters.write(tmp.resolve("b"), b, 3));
            open.add(TestAdapters.write(tmp.resolve("c"), c, 5));
            double[] w = {1.0, -0.6, 1.4};
            List<NamedAdapter> named = List.of(new NamedAdapter("a", open.get(0)), new NamedAdapter("b", open.get(1)),
                    new NamedAdapter("c", open.get(2)));
            AnalysisReport r = ConflictAnalyzer.analyze(named, AnalysisOptions.defaults().withWeights(w), Progress.none());
            DenseReference ref = new DenseReference(open, 0.2, 0, w);
            double[] dots = new double[3];
            for (String m : ref.modules) {
                List<TaskVector> taus = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    taus.add(ref.tau(i, m));
                }
                ModuleInputs in = ModuleInputs.ofTaskVectors(m, taus, w,
                        ModuleParameters.of(Map.<String, Object>of("tsv_keep", 0, "lambda", 1.0), Map.of(), 3), 0);
                TaskVector merged = ((ModuleResult.LowRank) MethodRegistry.get("tsv").merge(in)).tau();
                for (int i = 0; i < 3; i++) {
                    if (taus.get(i) != null) {
                        dots[i] += merged.innerProduct(taus.get(i));
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                double expected = dots[i] / ref.energy(i);
                assertThat(r.composition().retention().get("tsv").get(named.get(i).name()))
                        .as("adapter %d", i).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
            }
            // and the alignment with Σ w_i tau_i: dense projection onto its 95%-energy left singular subspace
            for (int i = 0; i < 3; i++) {
                double proj = 0;
                for (String m : ref.modules) {
                    TaskVector ti = ref.tau(i, m);
                    if (ti == null) {
                        continue;
                    }
                    int rows = ti.rows();
                    int cols = ti.cols();
                    double[] merged = new double[rows * cols];
                    for (int j = 0; j < 3; j++) {
                        TaskVector tj = ref.tau(j, m);
                        if (tj != null) {
                            double[] d = DenseReference.dense(tj);
                            for (int x = 0; x < d.length; x++) {
                                merged[x] += w[j] * d[x];
                            }
                        }
                    }
                    Object[] svd = DenseReference.svd(merged, rows, cols);
                    double[] sigma = (double[]) svd[1];
                    double total = Arrays.stream(sigma).map(s -> s * s).sum();
                    int keep = 0;
                    double acc = 0;
                    while (acc < 0.95 * total) {
                        acc += sigma[keep] * sigma[keep];
                        keep++;
                    }
                    double[] u = (double[]) svd[0];
                    int p = Math.min(rows, cols);
                    double[] di = DenseReference.dense(ti);
                    for (int k = 0; k < keep; k++) {
                        for (int col = 0; col < cols; col++) {
                            double s = 0;
                            for (int row = 0; row < rows; row++) {
                                s += u[row * p + k] * di[row * cols + col];
                            }
                            proj += s * s;
                        }
                    }
                }
                assertThat(r.composition().alignmentWithMerge().get(named.get(i).name()))
                        .isCloseTo(Math.sqrt(proj / ref.energy(i)), within(1e-8));
            }
        } finally {
            open.forEach(LoraAdapter::close);
        }
    }
}
