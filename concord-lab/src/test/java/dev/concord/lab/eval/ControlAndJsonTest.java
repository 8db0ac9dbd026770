package dev.concord.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.PretrainingExample;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.lab.suite.TrainingData;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control perplexity, and the report's JSON. */
class ControlAndJsonTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path rot3;
    static Path add;
    static Suite suite;

    @BeforeAll
    static void setUp() throws Exception {
        model = LabFixtures.model(dir.resolve("model"), 8, 2);
        rot3 = LabFixtures.adapter(dir.resolve("rot3"), 9, 0.2);
        add = LabFixtures.adapter(dir.resolve("add"), 10, 0.2);
        suite = new SuiteGenerator(2, new SuiteSizes(4, 2, 2), List.of(LabSkills.byName("rot3"),
                LabSkills.byName("add"))).generate();
    }

    @Test
    void controlIsTheBaseModelsPerplexityOnAFixedPretrainingSample() {
        Control c;
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            c = ev.control(Progress.none());
            EvalReport mixed = ev.evaluate(EvalRequest.of(Composition.mix(List.of(WeightedAdapter.of(rot3, 1))),
                    suite, Split.TEST), Progress.none());
            assertThat(mixed.control()).contains(c);
        }
        try (LabEvaluator again = LabEvaluator.open(model, EvalOptions.defaults().withThreads(1))) {
            assertThat(again.control(Progress.none())).isEqualTo(c);
        }
        // recomputed independently: the same stream, one plain forward per example
        Iterator<PretrainingExample> stream = new TrainingData(LabEvaluator.CONTROL_SEED,
                new Suite("none", OptionalLong.empty(), Map.of()), LabSkills.all()).pretraining(LabEvaluator.CONTROL_STREAM);
        Tokenizer tok = Tokenizer.load(model.resolve("tokenizer.json"));
        double nll = 0;
        long tokens = 0;
        int examples = 0;
        try (ModelWeights w = ModelWeights.load(model); InferenceEngine engine = new InferenceEngine(w)) {
            int vocab = w.config().vocabSize();
            while (tokens < LabEvaluator.CONTROL_TOKENS) {
                PretrainingExample ex = stream.next();
                examples++;
                int[] prompt = tok.encode(ex.prompt(), true);
                int[] all = tok.encode(ex.prompt() + ex.answer(), true);
                float[] logits;
                try (Sequence s = engine.newSequence()) {
                    logits = engine.forwardAll(s, all);
                }
                for (int pos = prompt.length - 1; pos < all.length; pos++) {
                    int target = pos + 1 < all.length ? all[pos + 1] : 2; // </s>: this config's eos
                    double z = 0;
                    for (int v = 0; v < vocab; v++) {
                        z += Math.exp(logits[pos * vocab + v]);
                    }
                    nll += Math.log(z) - logits[pos * vocab + target];
                    tokens++;
                }
            }
        }
        assertThat(c.tokens()).isEqualTo(tokens).isGreaterThanOrEqualTo(LabEvaluator.CONTROL_TOKENS);
        assertThat(c.examples()).isEqualTo(examples);
        assertThat(c.perplexity()).isCloseTo(Math.exp(nll / tokens), within(1e-6 * c.perplexity()));
        assertThat(c.perplexity()).isGreaterThan(1);
    }

    @Test
    void jsonHasTheScoresTheSummaryTheControlAndEchoesTheRequest() {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            MergeSpec spec = new MergeSpec("ties", List.of(WeightedAdapter.parse(rot3 + ":0.7"),
                    WeightedAdapter.of(add, 1)), Map.of("density", "0.5"), 3, MergeSpec.Output.DELTA, null);
            EvalReport r = ev.evaluate(EvalRequest.of(Composition.merge(spec), suite, Split.VALIDATION).withLimit(2),
                    Progress.none());
            JsonNode j = r.toJson();
            assertThat(j.get("model").asText()).isEqualTo(model.toString());
            assertThat(j.get("split").asText()).isEqualTo("validation");
            assertThat(j.get("limit").asInt()).isEqualTo(2);
            assertThat(j.get("composition").asText()).isEqualTo("merge");
            assertThat(j.get("route").asBoolean()).isFalse();
            assertThat(j.get("adapters")).hasSize(2);
            assertThat(j.get("adapters").get(0).get("weight").asDouble()).isEqualTo(0.7);
            assertThat(j.get("adapters").get(0).get("name").asText()).isEqualTo("rot3");
            assertThat(j.get("merge").get("method").asText()).isEqualTo("ties");
            assertThat(j.get("merge").get("parameters").get("density").asText()).isEqualTo("0.5");
            assertThat(j.get("merge").get("seed").asLong()).isEqualTo(3);
            assertThat(j.get("merge").get("output").asText()).isEqualTo("delta");
            for (String skill : List.of("rot3", "add")) {
                JsonNode s = j.get("skills").get(skill);
                assertThat(s.get("items").asInt()).isEqualTo(2);
                assertThat(s.get("exact_match").isNumber()).isTrue();
                assertThat(s.get("token_accuracy").asDouble()).isBetween(0.0, 1.0);
                assertThat(s.has("normalized")).isTrue();
                // each adapter's directory is named after its skill: its own adapter, measured here
                assertThat(s.get("reference").get("source").asText()).isEqualTo("measured");
            }
            assertThat(j.has("mean_normalized")).isTrue();
            assertThat(j.has("worst_skill")).isTrue();
            assertThat(j.get("control").get("perplexity").asDouble()).isGreaterThan(1);
            assertThat(j.get("control").get("model").asText()).isEqualTo("base");
            assertThat(j.get("items").asInt()).isEqualTo(4);
            assertThat(j.get("items_per_second").asDouble()).isPositive();
        }
    }
}
