package dev.concord.lab.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteReader;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick recipe end to end: suite, base and adapters come out loadable, recorded and in one piece. */
class LabBuildTest {
    @TempDir
    Path tmp;

    private static LabBuild.Options options(List<String> skills, AdapterEvaluation evaluation) {
        return new LabBuild.Options(1, skills, false, Progress.none(), BuildListener.NONE, evaluation);
    }

    @Test
    void aQuickBuildWritesASuiteABaseAndAdaptersTheEngineLoads() throws Exception {
        Path out = tmp.resolve("kit");
        List<String> evaluated = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        AdapterEvaluation hook = (base, adapter, suite, skill) -> {
            assertThat(base.resolve("model.safetensors")).isRegularFile();
            assertThat(adapter.resolve("adapter_model.safetensors")).isRegularFile();
            assertThat(suite.resolve("suite.json")).isRegularFile();
            evaluated.add(skill);
        };
        LabBuild.Options o = new LabBuild.Options(1, List.of("rot3", "sort"), false, Progress.none(),
                new BuildListener() {
                    @Override
                    public void onPhase(PhaseSummary summary) {
                        steps.add(summary.name());
                    }
                }, hook);
        List<PhaseSummary> phases = new LabBuild(LabRecipe.QUICK, o).run(out);

        assertThat(evaluated).containsExactly("rot3", "sort");
        assertThat(steps).containsExactly("base", "adapter:rot3", "adapter:sort");
        assertThat(phases.getFirst().finalLoss()).isLessThan(phases.getFirst().firstLoss());
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("adapters", "base", "build.json", "suite");
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("kit");
        }
        Suite suite = SuiteReader.read(out.resolve("suite"));
        assertThat(suite.skills()).hasSize(8);
        assertThat(suite.items("rot3", Split.TEST)).hasSize(LabRecipe.QUICK.suiteSizes().test());

        JsonNode build = new ObjectMapper().readTree(out.resolve("build.json").toFile());
        assertThat(build.path("seeds").path("suite").asLong()).isEqualTo(1234);
        assertThat(build.path("phases")).hasSize(3);
        assertThat(build.path("phases").get(1).path("name").asText()).isEqualTo("adapter:rot3");
        assertThat(build.path("phases").get(0).path("tokens").asLong()).isPositive();
        assertThat(build.path("recipe").path("lora").path("tokens").path("rot3").asLong()).isEqualTo(4000);

        int[] prompt = LabVocabulary.encodeWithBos(suite.items("rot3", Split.TEST).getFirst().prompt());
        try (ModelWeights weights = ModelWeights.load(out.resolve("base"));
                InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(1))) {
            AdapterWeights rot3 = AdapterWeights.load(out.resolve("adapters/rot3"), weights.config(), Optional.empty());
            float[] plain;
            try (Sequence s = engine.newSequence()) {
                plain = engine.forwardLast(s, prompt);
            }
            try (Sequence s = engine.newSequence(AdapterMix.single(rot3))) {
                float[] adapted = engine.forwardLast(s, prompt);
                assertThat(adapted).hasSize(LabVocabulary.SIZE).isNotEqualTo(plain);
            }
        }
    }

    @Test
    void theSameSeedsBuildTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        new LabBuild(LabRecipe.QUICK, options(List.of("add"), AdapterEvaluation.NONE)).run(tmp.resolve("a"));
        new LabBuild(LabRecipe.QUICK, options(List.of("add"), AdapterEvaluation.NONE)).run(tmp.resolve("b"));
        new LabBuild(LabRecipe.QUICK.withTrainingSeed(1), options(List.of("add"), AdapterEvaluation.NONE))
                .run(tmp.resolve("c"));
        for (String file : List.of("base/model.safetensors", "adapters/add/adapter_model.safetensors",
                "suite/add/test.jsonl")) {
            assertThat(Files.readAllBytes(tmp.resolve("b").resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(file)));
        }
        assertThat(Files.readAllBytes(tmp.resolve("c/base/model.safetensors")))
                .isNotEqualTo(Files.readAllBytes(tmp.resolve("a/base/model.safetensors")));
    }

    @Test
    void aFailedBuildLeavesNothingBehind() throws Exception {
        AdapterEvaluation failing = (base, adapter, suite, skill) -> {
            throw new ConcordException("evaluation failed");
        };
        assertThatThrownBy(() -> new LabBuild(LabRecipe.QUICK, options(List.of("dedup"), failing))
                .run(tmp.resolve("kit"))).hasMessage("evaluation failed");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void badOptionsAreRefusedBeforeAnyWork() throws Exception {
        assertThatThrownBy(() -> options(List.of("rot13"), AdapterEvaluation.NONE))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown lab skill 'rot13'");
        assertThatThrownBy(() -> options(List.of("add", "add"), AdapterEvaluation.NONE))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("twice");
        Files.createDirectories(tmp.resolve("taken"));
        assertThatThrownBy(() -> new LabBuild(LabRecipe.QUICK, options(List.of("add"), AdapterEvaluation.NONE))
                .run(tmp.resolve("taken"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already exists");
    }
}
