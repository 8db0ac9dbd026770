package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.adapter.LoraAdapter;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reported metric against a dense, obvious recomputation on small adapters. */
class BruteForceTest {
    @TempDir
    Path tmp;
    final List<LoraAdapter> open = new ArrayList<>();
    List<NamedAdapter> named;
    DenseReference ref;
    AnalysisReport report;
    static final double[] WEIGHTS = {1.0, 0.7, 1.3};

    @BeforeEach
    void analyse() {
        Map<String, FloatMatrix[]> a = TestAdapters.random(1, 4, 0.5);
        // b shares a's first module subspaces partly: its B starts from a's B, so the adapters really interact
        Map<String, FloatMatrix[]> b = TestAdapters.random(2, 4, 0.5);
        FloatMatrix[] qa = a.get("model.layers.0.self_attn.q_proj");
        b.put("model.layers.0.self_attn.q_proj", new FloatMatrix[] {qa[0], mix(qa[1], b.get("model.layers.0.self_attn.q_proj")[1])});
        // c has rank 3 and misses one module
        Map<String, FloatMatrix[]> c = TestAdapters.only(TestAdapters.random(3, 3, 0.8),
                "model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj");
        open.add(TestAdapters.write(tmp.resolve("a"), a, 8));
        open.add(TestAdapters.write(tmp.resolve("b"), b, 4));
        open.add(TestAdapters.write(tmp.resolve("c"), c, 6));
        named = List.of(new NamedAdapter("a", open.get(0)), new NamedAdapter("b", open.get(1)),
                new NamedAdapter("c", open.get(2)));
        ref = new DenseReference(open, 0.3, 7, WEIGHTS);
        report = ConflictAnalyzer.analyze(named,
                AnalysisOptions.defaults().withDensity(0.3).withSample(0, 7).withWeights(WEIGHTS), Progress.none());
    }

    private static FloatMatrix mix(FloatMatrix x, FloatMatrix y) {
        float[] v = new float[x.data().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.8f * x.data()[i] + 0.6f * y.data()[i];
        }
        return new FloatMatrix(x.rows(), x.cols(), v);
    }

    @AfterEach
    void close() {
        open.forEach(LoraAdapter::close);
    }

    private PairReport pair(String x, String y) {
        return report.pairs().stream().filter(p -> p.a().equals(x) && p.b().equals(y)).findFirst().orElseThrow();
    }

    @Test
    void factorLevelPairMetricsMatchDenseComputation() {
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            for (int j = i + 1; j < 3; j++) {
                PairReport p = pair(names[i], names[j]);
                assertThat(p.innerProduct()).isCloseTo(ref.inner(i, j), within(1e-9 * Math.sqrt(ref.energy(i) * ref.energy(j))));
                assertThat(p.cosine()).isCloseTo(ref.cosine(i, j), within(1e-9));
                double[] ov = ref.overlaps(i, j);
                assertThat(p.subspaceOverlap()).isCloseTo(ov[0], within(1e-9));
                assertThat(p.subspaceOverlapRow()).isCloseTo(ov[1], within(1e-9));
                assertThat(p.alignmentAInB()).isCloseTo(ref.alignment(i, j), within(1e-9));
                assertThat(p.alignmentBInA()).isCloseTo(ref.alignment(j, i), within(1e-9));
                double sti = ref.tsvInterference(i, j);
                assertThat(p.tsvInterference()).isCloseTo(sti, within(1e-8 * sti));
            }
        }
        // the rigged pair really overlaps on its first module, the others barely: the test is not vacuous
        assertThat(pair("a", "b").cosine()).isGreaterThan(0.2);
        assertThat(pair("a", "b").sharedModules()).isEqualTo(3);
        assertThat(pair("a", "c").sharedModules()).isEqualTo(2);
    }

    @Test
    void elementwiseMetricsMatchDenseComputation() {
        DenseReference.Elementwise e = ref.elementwise();
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            for (int j = i + 1; j < 3; j++) {
                PairReport p = pair(names[i], names[j]);
                assertThat(p.signConflictRate()).isCloseTo(e.rate()[i][j], within(1e-12));
                assertThat(p.signConflictWeighted()).isCloseTo(e.weighted()[i][j], within(1e-9));
                assertThat(p.tiesDiscardedMass()).isCloseTo(e.pairDiscarded()[i][j], within(1e-9));
                assertThat(p.signConflictRateCi()).isNull();
            }
        }
        CompositionReport c = report.composition();
        assertThat(c.signAgreement()).isCloseTo(e.agreement(), within(1e-12));
        assertThat(c.tiesDiscardedMass()).isCloseTo(e.discarded(), within(1e-9));
        for (int i = 0; i < 3; i++) {
            assertThat(c.retention().get("ties").get(names[i])).isCloseTo(e.ties()[i], within(1e-6));
            assertThat(c.retention().get("dare_ties").get(names[i])).isCloseTo(e.dareTies()[i], within(1e-6));
        }
        assertThat(c.signAgreementCi()).isNull();
        // non-trivial values: trims overlap, signs disagree sometimes, merges lose something
        assertThat(e.rate()[0][1]).isBetween(0.05, 0.6);
        assertThat(e.agreement()).isBetween(0.3, 0.95);
        assertThat(e.ties()[0]).isBetween(0.1, 1.5);
        assertThat(e.dareTies()[2]).isNotEqualTo(e.ties()[2]);
    }

    @Test
    void linearRetentionIsTheWeightedGramRow() {
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            double expected = 0;
            for (int j = 0; j < 3; j++) {
                expected += WEIGHTS[j] * (i == j ? ref.energy(i) : ref.inner(Math.min(i, j), Math.max(i, j)));
            }
            expected /= ref.energy(i);
            assertThat(report.composition().retention().get("linear").get(names[i])).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void spectraMatchDenseSingularValues() {
        AdapterProfile a = report.adapters().get(0);
        assertThat(a.modules()).isEqualTo(3);
        for (ModuleSpectrum s : a.moduleDetail()) {
            double[] sigma = (double[]) DenseReference.svd(DenseReference.dense(ref.tau(0, s.module())),
                    s.shape().get(0), s.shape().get(1))[1];
            assertThat(s.singularValues()).hasSize(4);
            for (int k = 0; k < 4; k++) {
                assertThat(s.singularValues()[k]).isCloseTo(sigma[k], within(1e-9 * sigma[0]));
            }
            double total = 0;
            for (int k = 0; k < 4; k++) {
                total += sigma[k] * sigma[k];
            }
            double entropy = 0;
            for (int k = 0; k < 4; k++) {
                double p = sigma[k] * sigma[k] / total;
                entropy -= p * Math.log(p);
            }
            assertThat(s.effectiveRank()).isCloseTo(Math.exp(entropy), within(1e-9));
            assertThat(s.stableRank()).isCloseTo(total / (sigma[0] * sigma[0]), within(1e-9));
            assertThat(s.top1EnergyShare()).isCloseTo(sigma[0] * sigma[0] / total, within(1e-12));
            assertThat(s.frobeniusNorm()).isCloseTo(Math.sqrt(total), within(1e-9 * sigma[0]));
            assertThat(s.numericalRank()).isEqualTo(4);
        }
    }

    @Test
    void moduleDetailSumsToThePairTotals() {
        PairReport p = pair("a", "b");
        assertThat(p.modules()).hasSize(3);
        double inner = p.modules().stream().mapToDouble(PairModule::innerProduct).sum();
        assertThat(inner).isCloseTo(p.innerProduct(), within(1e-12 * Math.abs(inner) + 1e-15));
        double overlap = p.modules().stream().mapToDouble(PairModule::subspaceOverlap).average().orElseThrow();
        assertThat(overlap).isCloseTo(p.subspaceOverlap(), within(1e-12));
        assertThat(report.modules()).hasSize(3);
        assertThat(report.modules().getFirst().layer()).isZero();
    }
}
