package dev.concord.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.skill.LabSkills;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.OutputFormat;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compositions: a weighted mix against the linear merge, in-memory merges against concord merge's files, routing. */
class CompositionTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path rot3;
    static Path add;
    static Suite suite;

    @BeforeAll
    static void setUp() throws Exception {
        model = LabFixtures.model(dir.resolve("model"), 21, 2);
        // adapters named after the skills they serve
        rot3 = LabFixtures.adapter(dir.resolve("adapters/rot3"), 31, 0.4);
        add = LabFixtures.adapter(dir.resolve("adapters/add"), 32, 0.4);
        suite = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, new SuiteSizes(10, 3, 3),
                List.of(LabSkills.byName("rot3"), LabSkills.byName("add"))).generate();
    }

    private static List<ItemOutcome> outcomes(Composition c) {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults().plainDecoding())) {
            return ev.evaluate(EvalRequest.of(c, suite, Split.TEST).withControl(false).withNormalize(false),
                    Progress.none()).outcomes();
        }
    }

    @Test
    void weightedMixEqualsTheLinearMergeFoldedIntoTheWeights() {
        List<WeightedAdapter> weighted = List.of(WeightedAdapter.of(rot3, 0.7), WeightedAdapter.of(add, -0.4));
        ModelDelta delta = InMemoryMerge.run(MergeSpec.of("linear", weighted, Map.of()), 2, Progress.none());
        Tokenizer tok = Tokenizer.load(model.resolve("tokenizer.json"));
        int[] ids = tok.encode("<rot3>ng r dqohd\nqj u gtrkg", true);
        try (ModelWeights base = ModelWeights.load(model); InferenceEngine unmerged = new InferenceEngine(base);
                ModelWeights folded = DeltaFold.fold(base, delta); InferenceEngine merged = new InferenceEngine(folded)) {
            AdapterMix mix = AdapterMix.of(List.of(
                    new AdapterMix.Entry(AdapterWeights.load(rot3, base.config(), Optional.empty()), 0.7f),
                    new AdapterMix.Entry(AdapterWeights.load(add, base.config(), Optional.empty()), -0.4f)));
            float[] a;
            float[] b;
            float[] none;
            try (Sequence s = unmerged.newSequence(mix)) {
                a = unmerged.forwardAll(s, ids);
            }
            try (Sequence s = merged.newSequence()) {
                b = merged.forwardAll(s, ids);
            }
            try (Sequence s = unmerged.newSequence()) {
                none = unmerged.forwardAll(s, ids);
            }
            double diff = 0;
            double moved = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                moved = Math.max(moved, Math.abs(a[i] - none[i]));
            }
            assertThat(moved).as("the adapters change the logits").isGreaterThan(0.05);
            assertThat(diff).as("unmerged mix vs folded linear merge").isLessThan(2e-4);
        }
        // and the harness scores both the same
        List<ItemOutcome> mix = outcomes(Composition.mix(weighted));
        List<ItemOutcome> merged = outcomes(Composition.merge(MergeSpec.of("linear", weighted, Map.of())));
        assertThat(merged).hasSameSizeAs(mix);
        for (int i = 0; i < mix.size(); i++) {
            ItemOutcome x = mix.get(i);
            ItemOutcome y = merged.get(i);
            assertThat(y.generated()).isEqualTo(x.generated());
            assertThat(y.stopped()).isEqualTo(x.stopped());
            assertThat(y.correctTokens()).isEqualTo(x.correctTokens());
            // folded and unmerged sums round differently: the likelihoods agree to float precision
            assertThat(y.nll()).isCloseTo(x.nll(), org.assertj.core.api.Assertions.within(1e-3));
        }
        // linear's result is factored, so the adapter form is the same update
        ModelDelta asAdapter = InMemoryMerge.run(new MergeSpec("linear", weighted, Map.of(), 0,
                MergeSpec.Output.ADAPTER, null), 1, Progress.none());
        assertThat(asAdapter.modules().keySet()).isEqualTo(delta.modules().keySet());
        asAdapter.modules().forEach((name, m) -> {
            float[] x = m.data();
            float[] y = delta.modules().get(name).data();
            for (int i = 0; i < x.length; i++) {
                assertThat(Math.abs(x[i] - y[i])).isLessThan(1e-5f);
            }
        });
    }

    @Test
    void inMemoryMergeIsWhatConcordMergeWrites() throws Exception {
        List<WeightedAdapter> weighted = List.of(WeightedAdapter.of(rot3, 1.0), WeightedAdapter.of(add, 0.6));
        Map<String, Object> params = Map.of("density", "0.3", "majority_sign", "frequency");
        ModelDelta delta = InMemoryMerge.run(new MergeSpec("ties", weighted, params, 7, MergeSpec.Output.DELTA, null),
                2, Progress.none());
        List<AdapterInput> inputs = weighted.stream().map(w -> new AdapterInput(w.spelling(), w.path(), w.weight()))
                .toList();
        Path out = dir.resolve("ties-delta");
        MergeRunner.run(new MergeRequest(MethodRegistry.get("ties"), inputs, new FixedParameters(params, inputs), 7,
                null, OutputFormat.DELTA, null, out, false, 1, null), Progress.none());
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(DeltaOutput.FILE_NAME))) {
            assertThat(delta.modules()).hasSize(2 * 7);
            for (Map.Entry<String, FloatMatrix> e : delta.modules().entrySet()) {
                assertThat(e.getValue().data()).as(e.getKey()).isEqualTo(f.readFloats(e.getKey() + ".weight"));
            }
        }
        // TIES keeps 30% of each task vector: a different model from the linear sum
        ModelDelta linear = InMemoryMerge.run(MergeSpec.of("linear", weighted, Map.of()), 1, Progress.none());
        String q = "model.layers.0.self_attn.q_proj";
        assertThat(delta.modules().get(q).data()).isNotEqualTo(linear.modules().get(q).data());
        assertThat(Files.exists(dir.resolve("ties-delta"))).isTrue();
    }

    @Test
    void routeServesEachSkillWithTheAdapterNamedAfterIt() {
        List<ItemOutcome> routed = outcomes(Composition.route(List.of(WeightedAdapter.of(add, 1),
                WeightedAdapter.of(rot3, 1))));
        List<ItemOutcome> rot3Only = outcomes(Composition.mix(List.of(WeightedAdapter.of(rot3, 1))));
        List<ItemOutcome> addOnly = outcomes(Composition.mix(List.of(WeightedAdapter.of(add, 1))));
        for (String skill : List.of("rot3", "add")) {
            List<ItemOutcome> r = routed.stream().filter(o -> o.skill().equals(skill)).toList();
            List<ItemOutcome> right = (skill.equals("rot3") ? rot3Only : addOnly).stream()
                    .filter(o -> o.skill().equals(skill)).toList();
            List<ItemOutcome> wrong = (skill.equals("rot3") ? addOnly : rot3Only).stream()
                    .filter(o -> o.skill().equals(skill)).toList();
            assertThat(r).hasSize(10).isEqualTo(right);
            assertThat(r.stream().map(ItemOutcome::generated).toList())
                    .as("the other adapter generates differently").isNotEqualTo(
                            wrong.stream().map(ItemOutcome::generated).toList());
        }
    }

    @Test
    void foldingRefusesAModuleTheModelLacks() {
        ModelDelta bad = ModelDelta.builder().add("model.layers.9.self_attn.q_proj", new FloatMatrix(64, 64,
                new float[64 * 64])).build();
        try (ModelWeights base = ModelWeights.load(model)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeltaFold.fold(base, bad))
                    .isInstanceOf(dev.concord.error.InvalidInputException.class)
                    .hasMessageContaining("model.layers.9.self_attn.q_proj").hasMessageContaining("2 layers");
            ModelDelta wrongShape = ModelDelta.builder().add("model.layers.0.mlp.up_proj", new FloatMatrix(64, 64,
                    new float[64 * 64])).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeltaFold.fold(base, wrongShape))
                    .isInstanceOf(dev.concord.error.InvalidInputException.class).hasMessageContaining("[160, 64]");
        }
    }
}
