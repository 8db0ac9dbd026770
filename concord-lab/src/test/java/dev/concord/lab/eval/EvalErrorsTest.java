package dev.concord.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests are refused with one line that says what is wrong and where, before any scoring. */
class EvalErrorsTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path rot3;
    static Suite suite;

    @BeforeAll
    static void setUp() throws Exception {
        model = LabFixtures.model(dir.resolve("model"), 3, 2);
        rot3 = LabFixtures.adapter(dir.resolve("rot3"), 4, 0.1);
        suite = new SuiteGenerator(1, new SuiteSizes(3, 2, 2), List.of(LabSkills.byName("rot3"),
                LabSkills.byName("add"))).generate();
    }

    private static void refused(ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call).isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    private static void evaluate(EvalRequest req) {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            ev.evaluate(req, Progress.none());
        }
    }

    @Test
    void unknownSkillsSplitsAndLimits() {
        refused(() -> evaluate(EvalRequest.of(Composition.base(), suite, Split.TEST).withSkills(List.of("rot3", "json"))),
                "no skill 'json'", "rot3, add");
        refused(() -> EvalRequest.of(Composition.base(), suite, Split.TEST).withSkills(List.of("add", "add")),
                "'add' twice");
        refused(() -> EvalRequest.of(Composition.base(), suite, Split.TRAIN), "--split train");
        refused(() -> EvalRequest.of(Composition.base(), suite, Split.TEST).withLimit(-1), "--limit");
        Suite testOnly = new Suite("t", OptionalLong.empty(), Map.of("rot3",
                new EnumMap<>(Map.of(Split.TEST, List.of(new SuiteItem("<rot3>ab\n", "de"))))));
        refused(() -> evaluate(EvalRequest.of(Composition.base(), testOnly, Split.OOD)), "no ood split", "rot3/ood.jsonl");
    }

    @Test
    void missingModelTokenizerAndAdapters() throws Exception {
        refused(() -> LabEvaluator.open(dir.resolve("nope"), EvalOptions.defaults()), "nope", "no such directory");
        Path noTokenizer = dir.resolve("no-tokenizer");
        Files.createDirectories(noTokenizer);
        Files.copy(model.resolve("config.json"), noTokenizer.resolve("config.json"));
        refused(() -> LabEvaluator.open(noTokenizer, EvalOptions.defaults()), "tokenizer.json");
        refused(() -> evaluate(EvalRequest.of(Composition.mix(List.of(WeightedAdapter.of(dir.resolve("ghost"), 1))),
                suite, Split.TEST)), "ghost", "no such directory");
        refused(() -> evaluate(EvalRequest.of(Composition.route(List.of(WeightedAdapter.of(rot3, 1))), suite,
                Split.TEST)), "--route", "no --adapter is named 'add'", "rot3");
        refused(() -> Composition.mix(List.of(WeightedAdapter.of(rot3, 1), WeightedAdapter.of(rot3, 2))),
                "given twice");
        refused(() -> Composition.route(List.of(WeightedAdapter.of(rot3, 1),
                WeightedAdapter.of(dir.resolve("other/rot3"), 1))), "two adapters are named 'rot3'");
        refused(() -> evaluate(EvalRequest.of(Composition.merge(MergeSpec.of("no_such_method",
                List.of(WeightedAdapter.of(rot3, 1)), Map.of())), suite, Split.TEST)), "no_such_method");
        refused(() -> evaluate(EvalRequest.of(Composition.merge(MergeSpec.of("ties",
                List.of(WeightedAdapter.of(rot3, 1)), Map.of("density", "2"))), suite, Split.TEST)), "density");
    }

    @Test
    void anItemLongerThanTheContextIsNamed() {
        Suite longOne = new Suite("long suite", OptionalLong.empty(), Map.of("rot3", new EnumMap<>(Map.of(Split.TEST,
                List.of(new SuiteItem("<rot3>ab\n", "de"), new SuiteItem("<rot3>" + "a".repeat(300) + "\n", "b"))))));
        refused(() -> evaluate(EvalRequest.of(Composition.base(), longOne, Split.TEST)),
                "long suite/rot3/test.jsonl item 2", "max_position_embeddings 256");
    }
}
