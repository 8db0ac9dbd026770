package dev.concord.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.error.InvalidInputException;
import dev.concord.lab.suite.Split;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Normalized accuracy: the arithmetic, and where the own adapter's exact match comes from in the lab-kit layout
 * (kit/base is the model, kit/adapters/&lt;skill&gt; the skills' adapters).
 */
class NormalizationTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path rot3;
    static Path add;
    static OracleSuite.Built oracle;

    @BeforeAll
    static void setUp() throws Exception {
        model = LabFixtures.model(dir.resolve("kit/base"), 11, 2);
        oracle = OracleSuite.build(model, List.of("rot3", "add", "sort"), 12);
        // weak adapters: they move the logits a little, so the base's right answers mostly survive
        rot3 = LabFixtures.adapter(dir.resolve("kit/adapters/rot3"), 41, 0.02);
        add = LabFixtures.adapter(dir.resolve("kit/adapters/add"), 42, 0.02);
    }

    private static Reference ref(double em) {
        return new Reference(OptionalDouble.of(em), Reference.Source.MEASURED, Path.of("x"), 10);
    }

    private static SkillResult result(double em, Reference r) {
        return new SkillResult(new SkillScore(10, (int) Math.round(em * 10), 0, 10),
                SkillResult.normalize(em, r), r);
    }

    @Test
    void normalizedIsTheRatioAndUndefinedWhenTheOwnAdapterScoresZero() {
        assertThat(SkillResult.normalize(0.6, ref(0.8)).getAsDouble()).isEqualTo(0.6 / 0.8);
        assertThat(SkillResult.normalize(0.9, ref(0.8)).getAsDouble()).as("not capped").isEqualTo(0.9 / 0.8);
        assertThat(SkillResult.normalize(0.3, ref(0.0))).isEmpty();
        assertThat(SkillResult.normalize(0.0, ref(0.0))).isEmpty();
        assertThat(SkillResult.normalize(0.3, Reference.notFound())).isEmpty();

        Map<String, SkillResult> skills = new LinkedHashMap<>();
        skills.put("a", result(0.6, ref(0.8)));   // 0.75
        skills.put("b", result(0.2, ref(0.0)));   // undefined: left out
        skills.put("c", result(0.5, ref(1.0)));   // 0.5
        skills.put("d", result(0.4, ref(0.8)));   // 0.5, a tie: c came first
        EvalReport r = EvalReport.summarize("m", "s", Split.TEST, 0, Composition.base(), skills, Optional.empty(),
                List.of(), 1, 0, 0);
        assertThat(r.meanNormalized().getAsDouble()).isCloseTo((0.75 + 0.5 + 0.5) / 3, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.worstSkill()).contains(new EvalReport.WorstSkill("c", 0.5));
        JsonNode json = r.toJson();
        assertThat(json.get("skills").get("b").get("normalized").isNull()).isTrue();
        assertThat(json.get("worst_skill").get("name").asText()).isEqualTo("c");
    }

    @Test
    void referencesComeFromEvalJsonElseAreMeasuredElseAreMissing() throws Exception {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            Files.deleteIfExists(rot3.resolve(AdapterEvalFile.FILE_NAME));
            Files.deleteIfExists(add.resolve(AdapterEvalFile.FILE_NAME));
            // rot3's reference is recorded (a made-up number, to see that it is the one used)
            Files.writeString(rot3.resolve(AdapterEvalFile.FILE_NAME), """
                    {"test": {"exact_match": 0.5, "token_accuracy": 0.7, "items": 500},
                     "ood": {"exact_match": 0.25, "token_accuracy": 0.5, "items": 200}}
                    """);
            Composition both = Composition.mix(List.of(WeightedAdapter.of(rot3, 1), WeightedAdapter.of(add, 1)));
            EvalReport r = ev.evaluate(EvalRequest.of(both, oracle.suite(), Split.TEST).withLimit(9), Progress.none());

            SkillResult rot = r.skills().get("rot3");
            assertThat(rot.reference().source()).isEqualTo(Reference.Source.EVAL_JSON);
            assertThat(rot.reference().exactMatch().getAsDouble()).isEqualTo(0.5);
            assertThat(rot.reference().items()).isEqualTo(500);
            assertThat(rot.normalized().getAsDouble()).isEqualTo(rot.score().exactMatch() / 0.5);

            // add: no eval.json, so its own adapter alone is measured on the same 9 items
            SkillResult a = r.skills().get("add");
            assertThat(a.reference().source()).isEqualTo(Reference.Source.MEASURED);
            assertThat(a.reference().adapter()).isEqualTo(add);
            SkillScore alone = ev.score(Composition.mix(List.of(WeightedAdapter.of(add, 1))), oracle.suite(),
                    Split.TEST, List.of("add"), 9, Progress.none()).get("add");
            assertThat(alone.exactMatches()).as("the fixture's add adapter gets some right").isPositive();
            assertThat(a.reference().exactMatch().getAsDouble()).isEqualTo(alone.exactMatch());
            assertThat(a.reference().items()).isEqualTo(9);
            assertThat(a.normalized().getAsDouble()).isEqualTo(a.score().exactMatch() / alone.exactMatch());

            // sort has no adapter anywhere
            SkillResult s = r.skills().get("sort");
            assertThat(s.reference().source()).isEqualTo(Reference.Source.NOT_FOUND);
            assertThat(s.normalized()).isEmpty();

            assertThat(r.meanNormalized().getAsDouble())
                    .isEqualTo((rot.normalized().getAsDouble() + a.normalized().getAsDouble()) / 2);
            String worst = rot.normalized().getAsDouble() <= a.normalized().getAsDouble() ? "rot3" : "add";
            assertThat(r.worstSkill().get().name()).isEqualTo(worst);

            // the ood split has a recorded rot3 number too; validation does not, so it is measured
            EvalReport ood = ev.evaluate(EvalRequest.of(both, oracle.suite(), Split.OOD).withControl(false)
                    .withSkills(List.of("rot3")), Progress.none());
            assertThat(ood.skills().get("rot3").reference().exactMatch().getAsDouble()).isEqualTo(0.25);
            EvalReport val = ev.evaluate(EvalRequest.of(both, oracle.suite(), Split.VALIDATION).withControl(false)
                    .withSkills(List.of("rot3")), Progress.none());
            assertThat(val.skills().get("rot3").reference().source()).isEqualTo(Reference.Source.MEASURED);
        } finally {
            Files.deleteIfExists(rot3.resolve(AdapterEvalFile.FILE_NAME));
        }
    }

    @Test
    void routingOwnAdaptersNormalizesToOneAndTheBaseHasNoNormalizedAccuracy() {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            EvalReport routed = ev.evaluate(EvalRequest.of(Composition.route(List.of(WeightedAdapter.of(rot3, 1),
                    WeightedAdapter.of(add, 1))), oracle.suite(), Split.TEST).withControl(false)
                    .withSkills(List.of("rot3", "add")), Progress.none());
            for (SkillResult r : routed.skills().values()) {
                assertThat(r.reference().source()).isEqualTo(Reference.Source.MEASURED);
                assertThat(r.normalized()).hasValue(1.0);
            }
            EvalReport base = ev.evaluate(EvalRequest.of(Composition.base(), oracle.suite(), Split.TEST)
                    .withControl(false), Progress.none());
            assertThat(base.skills().values()).allSatisfy(r -> {
                assertThat(r.reference()).isNull();
                assertThat(r.normalized()).isEmpty();
            });
            assertThat(base.meanNormalized()).isEmpty();
            JsonNode json = base.toJson();
            assertThat(json.get("skills").get("rot3").has("normalized")).isFalse();
            assertThat(json.get("mean_normalized").isNull()).isTrue();
            assertThat(json.get("worst_skill").isNull()).isTrue();
        }
    }

    @Test
    void labBuildWritesEachSplitOfTheAdapterToEvalJson() throws Exception {
        Path copy = dir.resolve("copy/add");
        LabFixtures.adapter(copy, 42, 0.02);
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            Map<Split, SkillScore> written = ev.writeAdapterEval(copy, oracle.suite(), "add", Progress.none());
            assertThat(written.keySet()).containsExactly(Split.VALIDATION, Split.TEST, Split.OOD);
            assertThat(written.get(Split.TEST).items()).isEqualTo(12);
            assertThat(written.get(Split.OOD).items()).isEqualTo(3);
            Map<Split, AdapterEvalFile.Recorded> read = AdapterEvalFile.read(copy);
            for (Split s : written.keySet()) {
                assertThat(read.get(s)).isEqualTo(new AdapterEvalFile.Recorded(written.get(s).exactMatch(),
                        written.get(s).tokenAccuracy(), written.get(s).items()));
            }
            // the same numbers as scoring the adapter alone split by split
            SkillScore test = ev.score(Composition.mix(List.of(WeightedAdapter.of(copy, 1))), oracle.suite(),
                    Split.TEST, List.of("add"), 0, Progress.none()).get("add");
            assertThat(written.get(Split.TEST)).isEqualTo(test);
        }
    }

    @Test
    void aMalformedEvalJsonIsRefusedWithItsPath() throws Exception {
        Path a = dir.resolve("bad/rot3");
        Files.createDirectories(a);
        Files.writeString(a.resolve("eval.json"), "{\"test\": {\"exact_match\": 1.5, \"token_accuracy\": 1, \"items\": 3}}");
        assertThatThrownBy(() -> AdapterEvalFile.read(a)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(a.resolve("eval.json").toString()).hasMessageContaining("exact_match");
        Files.writeString(a.resolve("eval.json"), "{\"test\": ");
        assertThatThrownBy(() -> AdapterEvalFile.read(a)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid JSON");
        assertThat(AdapterEvalFile.read(dir.resolve("nowhere"))).isEmpty();
    }
}
