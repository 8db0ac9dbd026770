package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.error.InvalidInputException;
import dev.concord.progress.Progress;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampledAndEdgeCasesTest {
    @TempDir
    Path tmp;
    final List<LoraAdapter> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(LoraAdapter::close);
    }

    private NamedAdapter synthetic(String name, SyntheticAdapterSpec spec) {
        LoraAdapter a = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve(name), spec));
        open.add(a);
        return new NamedAdapter(name, a);
    }

    private NamedAdapter written(String name, Map<String, FloatMatrix[]> factors, double alpha) {
        LoraAdapter a = TestAdapters.write(tmp.resolve(name), factors, alpha);
        open.add(a);
        return new NamedAdapter(name, a);
    }

    @Test
    void sampledStatisticsAgreeWithExactOnesWithinTheirIntervals() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1);
        List<NamedAdapter> set = List.of(synthetic("a", base.withSeed(5)), synthetic("b", base.withSeed(6)),
                synthetic("c", base.withSeed(7).withRank(4, 8)));
        AnalysisReport exact = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults(), Progress.none());
        AnalysisReport sampled = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults().withSample(4000, 3),
                Progress.none());
        for (int p = 0; p < exact.pairs().size(); p++) {
            PairReport e = exact.pairs().get(p);
            PairReport s = sampled.pairs().get(p);
            // factor-level metrics do not depend on sampling
            assertThat(s.cosine()).isEqualTo(e.cosine());
            assertThat(s.subspaceOverlap()).isEqualTo(e.subspaceOverlap());
            assertThat(s.signConflictRateCi()).hasSize(2);
            double half = (s.signConflictRateCi()[1] - s.signConflictRateCi()[0]) / 2;
            assertThat(half).isBetween(1e-4, 0.1);
            // the interval covers sampling error; the trim threshold estimated from the sample adds a little more
            assertThat(s.signConflictRate()).isCloseTo(e.signConflictRate(), within(2 * half + 0.01));
            assertThat(s.tiesDiscardedMass()).isCloseTo(e.tiesDiscardedMass(), within(0.02));
        }
        CompositionReport ce = exact.composition();
        CompositionReport cs = sampled.composition();
        assertThat(cs.signAgreementCi()).hasSize(2);
        assertThat(cs.signAgreement()).isCloseTo(ce.signAgreement(), within(0.05));
        for (String n : List.of("a", "b", "c")) {
            assertThat(cs.retention().get("linear").get(n)).isEqualTo(ce.retention().get("linear").get(n));
            assertThat(cs.retention().get("ties").get(n)).isCloseTo(ce.retention().get("ties").get(n), within(0.1));
            assertThat(cs.retentionCi().get("ties").get(n)).hasSize(2);
        }
        assertThat(cs.notes()).anyMatch(note -> note.contains("4000 sampled positions"));
        // reproducible: the same seed gives the same numbers, another seed other numbers
        AnalysisReport again = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults().withSample(4000, 3),
                Progress.none());
        AnalysisReport other = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults().withSample(4000, 4),
                Progress.none());
        assertThat(again.pairs().getFirst().signConflictRate()).isEqualTo(sampled.pairs().getFirst().signConflictRate());
        assertThat(other.pairs().getFirst().signConflictRate()).isNotEqualTo(sampled.pairs().getFirst().signConflictRate());
    }

    @Test
    void aSampleAsLargeAsAModuleIsExact() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(2);
        List<NamedAdapter> set = List.of(synthetic("a", base.withSeed(5)), synthetic("b", base.withSeed(6)));
        AnalysisReport exact = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults(), Progress.none());
        AnalysisReport big = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults().withSample(1 << 20, 1),
                Progress.none());
        assertThat(big.pairs().getFirst().signConflictRate()).isEqualTo(exact.pairs().getFirst().signConflictRate());
        assertThat(big.pairs().getFirst().signConflictRateCi()).isNull();
        assertThat(big.modules()).allMatch(ModuleReport::exact);
    }

    @Test
    void identicalAdaptersMergeLinearlyWithHalfWeights() {
        Map<String, FloatMatrix[]> a = TestAdapters.random(3, 4, 0.3);
        AnalysisReport r = ConflictAnalyzer.analyze(List.of(written("x", a, 8), written("y", a, 8)),
                AnalysisOptions.defaults(), Progress.none());
        CompositionReport c = r.composition();
        assertThat(c.retention().get("linear").get("x")).isCloseTo(2.0, within(1e-9));
        assertThat(c.verdict()).isEqualTo("compatible");
        assertThat(c.recommendation().action()).isEqualTo(Recommendation.MERGE);
        assertThat(c.recommendation().method()).isEqualTo("linear");
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) c.recommendation().parameters().get("weights");
        assertThat((Double) w.get("x")).isCloseTo(0.5, within(1e-4));
        assertThat(c.recommendation().expectedRetention().get("y")).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void unrelatedAdaptersOnLargeLayersAreCompatibleForALinearMerge() {
        SyntheticAdapterSpec wide = new SyntheticAdapterSpec(512, 1024, 1, 8, 4, 0, 8, 16, false,
                SyntheticAdapterSpec.ATTENTION, DType.F32, 0.02, 1);
        // seeds far apart: SyntheticAdapters seeds its generators with seed·φ + hash(stream), and SplittableRandom
        // steps by φ, so nearby seeds give the same values shifted by a few places (and overlapping subspaces)
        AnalysisReport r = ConflictAnalyzer.analyze(List.of(synthetic("a", wide.withSeed(1)),
                synthetic("b", wide.withSeed(1_000_003))), AnalysisOptions.defaults().withSample(2000, 1),
                Progress.none());
        PairReport p = r.pairs().getFirst();
        assertThat(Math.abs(p.cosine())).isLessThan(0.05);
        assertThat(p.subspaceOverlap()).isLessThan(0.1);
        assertThat(p.signConflictRate()).isCloseTo(0.5, within(0.1));
        assertThat(r.composition().verdict()).isEqualTo("compatible");
        assertThat(r.composition().recommendation().method()).isEqualTo("linear");
        assertThat(r.composition().recommendation().parameters()).doesNotContainKey("weights");
    }

    @Test
    void manyAdaptersTriggerTheDepthGuardAndServing() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1).withTargets(List.of("q_proj"));
        List<NamedAdapter> set = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            set.add(synthetic("s" + i, base.withSeed(100 + i)));
        }
        AnalysisReport r = ConflictAnalyzer.analyze(set, AnalysisOptions.defaults().withSample(512, 1), Progress.none());
        CompositionReport c = r.composition();
        assertThat(r.pairs()).hasSize(36);
        assertThat(c.depth().warnings()).anyMatch(w -> w.contains("9 adapters in one merge"));
        assertThat(c.depth().warnings()).anyMatch(w -> w.contains("first 8 adapters"));
        assertThat(c.depth().curve()).hasSize(9);
        assertThat(c.depth().curve().get(8).tiesMean()).isNaN();
        assertThat(c.depth().curve().get(7).tiesMean()).isLessThan(c.depth().curve().get(0).tiesMean());
        assertThat(c.recommendation().action()).isEqualTo(Recommendation.SERVE_SEPARATELY);
        assertThat(c.recommendation().reasons()).anyMatch(s -> s.contains("9 adapters"));
    }

    @Test
    void aZeroAdapterGivesUndefinedRatiosNotErrors() throws Exception {
        Map<String, FloatMatrix[]> a = TestAdapters.random(4, 3, 0.3);
        Map<String, FloatMatrix[]> zero = TestAdapters.random(5, 3, 0.0);
        AnalysisReport r = ConflictAnalyzer.analyze(List.of(written("a", a, 6), written("zero", zero, 6)),
                AnalysisOptions.defaults(), Progress.none());
        PairReport p = r.pairs().getFirst();
        assertThat(p.cosine()).isNaN();
        assertThat(p.subspaceOverlap()).isNaN();
        assertThat(r.adapters().get(1).frobeniusNorm()).isZero();
        JsonNode j = new ObjectMapper().readTree(ReportJson.render(r));
        assertThat(j.get("pairs").get(0).get("cosine").isNull()).isTrue();
        assertThat(ReportJson.render(r)).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void jsonHasTheDocumentedKeys() throws Exception {
        Map<String, FloatMatrix[]> a = TestAdapters.random(6, 3, 0.3);
        Map<String, FloatMatrix[]> b = TestAdapters.random(7, 2, 0.3);
        AnalysisReport r = ConflictAnalyzer.analyze(List.of(written("a", a, 6), written("b", b, 4)),
                AnalysisOptions.defaults(), Progress.none());
        JsonNode j = new ObjectMapper().readTree(ReportJson.render(r));
        assertThat(j.get("schema").asText()).isEqualTo("concord.analysis/1");
        for (String k : List.of("name", "frobenius_norm", "effective_rank", "stable_rank", "top1_energy_share",
                "relative_size", "module_detail")) {
            assertThat(j.get("adapters").get(0).has(k)).as(k).isTrue();
        }
        for (String k : List.of("singular_values", "numerical_rank", "module", "layer", "kind", "shape")) {
            assertThat(j.get("adapters").get(0).get("module_detail").get(0).has(k)).as(k).isTrue();
        }
        for (String k : List.of("a", "b", "cosine", "sign_conflict_rate", "sign_conflict_weighted", "subspace_overlap",
                "subspace_overlap_row", "subspace_alignment", "tsv_interference", "ties_discarded_mass", "risk",
                "verdict", "modules")) {
            assertThat(j.get("pairs").get(0).has(k)).as(k).isTrue();
        }
        JsonNode c = j.get("composition");
        for (String k : List.of("sign_agreement", "retention", "risk", "verdict", "recommendation", "risk_features",
                "risk_model", "depth", "ties_discarded_mass", "alignment_with_merge")) {
            assertThat(c.has(k)).as(k).isTrue();
        }
        assertThat(c.get("retention").fieldNames()).toIterable().containsExactly("linear", "ties", "dare_ties", "tsv");
        assertThat(j.get("modules").get(0).has("sign_agreement")).isTrue();
        assertThat(j.get("pairs").get(0).get("modules").get(0).has("inner_product")).isTrue();
    }

    @Test
    void baseModelGivesRelativeSizes() {
        Map<String, FloatMatrix[]> a = TestAdapters.random(8, 3, 0.3);
        NamedAdapter na = written("a", a, 6);
        Path base = tmp.resolve("base");
        SplittableRandom rnd = new SplittableRandom(1);
        List<TensorData> tensors = new ArrayList<>();
        double[] norms = new double[TestAdapters.SHAPES.size()];
        int i = 0;
        for (var e : TestAdapters.SHAPES.entrySet()) {
            int o = e.getValue()[0];
            int in = e.getValue()[1];
            float[] w = new float[o * in];
            double s = 0;
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) rnd.nextGaussian();
                s += (double) w[k] * w[k];
            }
            norms[i++] = Math.sqrt(s);
            tensors.add(TensorData.ofFloats(e.getKey() + ".weight", DType.F32, new long[] {o, in}, w));
        }
        try {
            Files.createDirectories(base);
            Files.writeString(base.resolve("config.json"), "{}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SafetensorsWriter.write(base.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        AnalysisReport r = ConflictAnalyzer.analyze(List.of(na), AnalysisOptions.defaults().withBase(base),
                Progress.none());
        AdapterProfile p = r.adapters().getFirst();
        double tau2 = 0;
        double w2 = 0;
        double max = 0;
        for (ModuleSpectrum s : p.moduleDetail()) {
            int k = new ArrayList<>(TestAdapters.SHAPES.keySet()).indexOf(s.module());
            assertThat(s.baseNorm()).isCloseTo(norms[k], within(1e-9 * norms[k]));
            assertThat(s.relativeSize()).isCloseTo(s.frobeniusNorm() / norms[k], within(1e-12));
            tau2 += s.frobeniusNorm() * s.frobeniusNorm();
            w2 += norms[k] * norms[k];
            max = Math.max(max, s.relativeSize());
        }
        assertThat(p.relativeSize()).isCloseTo(Math.sqrt(tau2 / w2), within(1e-12));
        assertThat(p.relativeSizeMax()).isEqualTo(max);
        // a single adapter: nothing to merge it with
        assertThat(r.pairs()).isEmpty();
        assertThat(r.composition().recommendation().action()).isEqualTo(Recommendation.SERVE_SEPARATELY);
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        Map<String, FloatMatrix[]> a = TestAdapters.random(9, 3, 0.3);
        NamedAdapter x = written("x", a, 6);
        assertThatThrownBy(() -> ConflictAnalyzer.analyze(List.of(x, new NamedAdapter("x", x.adapter())),
                AnalysisOptions.defaults(), Progress.none())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("two adapters are named 'x'");
        assertThatThrownBy(() -> AnalysisOptions.defaults().withDensity(1.5)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ConflictAnalyzer.analyze(List.of(x), AnalysisOptions.defaults()
                .withWeights(new double[] {1, 2}), Progress.none())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2 weights given for 1 adapters");
        // a NaN in a factor is named by adapter and module
        Map<String, FloatMatrix[]> bad = TestAdapters.random(10, 3, 0.3);
        bad.get("model.layers.0.mlp.down_proj")[1].data()[5] = Float.NaN;
        NamedAdapter nan = written("nan", bad, 6);
        assertThatThrownBy(() -> ConflictAnalyzer.analyze(List.of(x, nan), AnalysisOptions.defaults(), Progress.none()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("adapter 'nan', module model.layers.0.mlp.down_proj: ")
                .hasMessageContaining("non-finite");
        // a module with another shape means another base model
        Map<String, FloatMatrix[]> other = new java.util.LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(1);
        other.put("model.layers.0.self_attn.q_proj", new FloatMatrix[] {TestAdapters.gaussian(rnd, 3, 21, 1),
            TestAdapters.gaussian(rnd, 24, 3, 1)});
        NamedAdapter y = written("y", other, 6);
        assertThatThrownBy(() -> ConflictAnalyzer.analyze(List.of(x, y), AnalysisOptions.defaults(), Progress.none()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("same base model");
    }
}
