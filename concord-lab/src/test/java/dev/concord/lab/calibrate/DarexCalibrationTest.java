package dev.concord.lab.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.OutputFormat;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The label-free choice of q on a tiny lab-shaped model, checked against merges written by {@code concord merge}'s
 * own runner ({@code --format model}) and scored here independently.
 */
class DarexCalibrationTest {
    @TempDir
    static Path tmp;
    static Path base;
    static Path prompts;
    static List<AdapterInput> adapters;
    /** B's scale: the adapters move the logits by about as much as the logits' own spread, not more. */
    static final double B_STD = 0.002;

    @BeforeAll
    static void fixtures() throws Exception {
        base = CalibrationFixtures.model(tmp.resolve("base"));
        adapters = List.of(new AdapterInput("a", CalibrationFixtures.adapter(tmp.resolve("a"), base, 11, B_STD), 1.0),
                new AdapterInput("b:0.7", CalibrationFixtures.adapter(tmp.resolve("b"), base, 12, B_STD), 0.7),
                new AdapterInput("c", CalibrationFixtures.adapter(tmp.resolve("c"), base, 13, B_STD), 1.0));
        prompts = CalibrationFixtures.prompts(tmp.resolve("prompts.txt"), 12, 5);
    }

    private static QChoice choose(String method, Map<String, Object> params, int threads) {
        return DarexCalibration.chooseQ(MethodRegistry.get(method), adapters, new FixedParameters(params, adapters), 3,
                threads, base, prompts, Progress.none());
    }

    /** The model `concord merge --format model` writes for these adapters, method and parameters. */
    private static Path merged(String name, String method, Map<String, Object> params) {
        Path out = tmp.resolve("merged-" + name);
        MergeRunner.run(new MergeRequest(MethodRegistry.get(method), adapters, new FixedParameters(params, adapters), 3,
                null, OutputFormat.MODEL, base, out, false, 2, null), Progress.none());
        return out;
    }

    /** Logits of a model directory on the calibration prompts, through the engine alone. */
    private static List<float[]> logits(Path model) {
        Tokenizer tokenizer = Tokenizer.load(base.resolve("tokenizer.json"));
        List<int[]> ids = new ArrayList<>();
        for (CalibrationPrompt p : CalibrationPrompts.read(prompts)) {
            ids.add(tokenizer.encode(p.text(), true));
        }
        try (ModelWeights w = ModelWeights.load(model)) {
            return new LogitProbe(ids, EngineOptions.defaults().withThreads(1)).logits(w);
        }
    }

    private static double meanSquaredChange(List<float[]> a, List<float[]> b) {
        double s = 0;
        long n = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                double d = (double) a.get(i)[j] - b.get(i)[j];
                s += d * d;
                n++;
            }
        }
        return s / n;
    }

    @Test
    void theChosenQBeatsBothEndsOnMergesWrittenByTheMergeCommand() {
        QChoice c = choose("darex", Map.of("density", "0.3", "q", "auto"), 2);
        assertThat(c.keepProbability()).isEqualTo(0.3);
        assertThat(c.prompts()).isEqualTo(12);
        assertThat(c.q()).isBetween(0.3, 1.0);
        // on these adapters neither end is best: the search found an interior q
        assertThat(c.objective()).isLessThan(c.objectiveWithoutRescale()).isLessThan(c.objectiveWithDareRescale());

        // the same objective, computed from models that the merge runner writes to disk and the engine loads
        List<float[]> reference = logits(merged("ref", "darex", Map.of("density", "1", "q", "1")));
        double chosen = meanSquaredChange(logits(merged("chosen", "darex", Map.of("density", "0.3", "q", c.q()))),
                reference);
        double none = meanSquaredChange(logits(merged("one", "darex", Map.of("density", "0.3", "q", "1"))), reference);
        double dare = meanSquaredChange(logits(merged("dare", "darex", Map.of("density", "0.3", "q", "0.3"))),
                reference);
        assertThat(chosen).isLessThan(none).isLessThan(dare);
        assertThat(chosen).isCloseTo(c.objective(), org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(none).isCloseTo(c.objectiveWithoutRescale(), org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(dare).isCloseTo(c.objectiveWithDareRescale(), org.assertj.core.data.Percentage.withPercentage(0.1));
    }

    @Test
    void theChoiceDoesNotDependOnTheThreadCountAndTiesVariantWorksToo() {
        Map<String, Object> p = Map.of("density", "0.2");
        QChoice one = choose("darex_ties", p, 1);
        QChoice two = choose("darex_ties", p, 2);
        assertThat(two).isEqualTo(one);
        assertThat(one.evaluations()).hasSize(QSearch.GRID_POINTS + QSearch.REFINEMENTS);
        assertThat(one.objective()).isLessThanOrEqualTo(one.objectiveWithoutRescale());
        assertThat(one.objective()).isLessThanOrEqualTo(one.objectiveWithDareRescale());
    }

    @Test
    void badRequestsAreRefusedBeforeAnyWork() throws Exception {
        assertThatThrownBy(() -> choose("ties", Map.of(), 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("use it with --method darex or darex_ties, not ties");
        assertThatThrownBy(() -> DarexCalibration.chooseQ(MethodRegistry.get("darex"), adapters,
                new FixedParameters(Map.of(), adapters), 0, 1, tmp.resolve("nowhere"), prompts, Progress.none()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no such directory");
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        assertThatThrownBy(() -> DarexCalibration.chooseQ(MethodRegistry.get("darex"), adapters,
                new FixedParameters(Map.of(), adapters), 0, 1, bare, prompts, Progress.none()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no tokenizer.json");
        Path longPrompt = tmp.resolve("long.txt");
        Files.writeString(longPrompt, "short\n" + "x".repeat(3000) + "\n");
        assertThatThrownBy(() -> DarexCalibration.chooseQ(MethodRegistry.get("darex"), adapters,
                new FixedParameters(Map.of(), adapters), 0, 1, base, longPrompt, Progress.none()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(longPrompt + ":2: the prompt is 3001 tokens, longer than the model's context"
                        + " (max_position_embeddings 2048)");
    }

    @Test
    void adaptersThatDoNotFitTheBaseAreRefused() {
        Path wide = SyntheticAdapters.write(tmp.resolve("wide"), new SyntheticAdapterSpec(32, 160, 2, 4, 2, 0, 4, 8,
                false, SyntheticAdapterSpec.ALL_PROJECTIONS, dev.concord.tensor.DType.F32, 0.1, 1));
        List<AdapterInput> in = List.of(new AdapterInput("wide", wide, 1.0));
        assertThatThrownBy(() -> DarexCalibration.chooseQ(MethodRegistry.get("darex"), in,
                new FixedParameters(Map.of(), in), 0, 1, base, prompts, Progress.none()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("module model.layers.0.mlp.down_proj: the adapters' update is [32, 160] but"
                        + " the base model's weight is [64, 160]");
        Path head = SyntheticAdapters.write(tmp.resolve("head"), new SyntheticAdapterSpec(64, 160, 2, 4, 2, 128, 4, 8,
                false, List.of("q_proj", "lm_head"), dev.concord.tensor.DType.F32, 0.1, 1));
        List<AdapterInput> withHead = List.of(new AdapterInput("head", head, 1.0));
        assertThatThrownBy(() -> DarexCalibration.chooseQ(MethodRegistry.get("darex"), withHead,
                new FixedParameters(Map.of(), withHead), 0, 1, base, prompts, Progress.none()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("also change lm_head");
    }
}
