package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleSelector;
import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the trainer saves is what the engine runs: a base written by {@link BaseModelWriter} and an adapter
 * written by {@link AdapterExport} give, through the inference engine, the trainer's own logits.
 */
class EngineAgreementTest {
    private static final double RELATIVE = 1e-4;

    @TempDir
    Path tmp;

    private static final List<String> PROMPTS = List.of("<rot3>ab cd\n", "<add>123+989\n",
            "<lookup>r:99;h:18;o:59?h\n", "<json>f=23,r=puyr\n{\"f\":");

    private static List<int[]> sequences() {
        return PROMPTS.stream().map(LabVocabulary::encodeWithBos).toList();
    }

    /** Largest |engine − trainer| over a sequence, relative to its largest |logit|. */
    private static double relativeError(float[] engine, float[] trainer) {
        assertThat(engine).hasSameSizeAs(trainer);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < engine.length; i++) {
            diff = Math.max(diff, Math.abs(engine[i] - trainer[i]));
            scale = Math.max(scale, Math.abs(trainer[i]));
        }
        return diff / scale;
    }

    private static LabWeights model(LabModelShape shape) {
        LabWeights w = LabWeights.initialized(shape, 21);
        TinyModels.scaleMatrices(w, 5);
        SplittableRandom r = new SplittableRandom(4);
        for (NamedTensor t : w.tensors()) {
            if (t.shape().length == 1) {
                TinyModels.randomize(t.values(), 0.3, r);
                for (int i = 0; i < t.values().length; i++) {
                    t.values()[i] += 1;
                }
            }
        }
        return w;
    }

    @Test
    void theSavedBaseRunsInTheEngineWithTheTrainersLogits() {
        for (LabModelShape shape : List.of(TinyModels.TINY, LabModelShape.DEFAULT)) {
            LabWeights w = model(shape);
            Path dir = tmp.resolve("base-" + shape.hidden());
            BaseModelWriter.write(w, dir, false);
            assertThat(dir.resolve("tokenizer.json")).isRegularFile();
            assertThat(Tokenizer.load(dir.resolve("tokenizer.json")).encode(PROMPTS.get(2), true))
                    .containsExactly(LabVocabulary.encodeWithBos(PROMPTS.get(2)));
            List<float[]> trainer;
            try (Trainer t = Trainer.full(w, TinyModels.settings(1, 64, 100, 1e-3, 0), 2)) {
                trainer = t.logits(sequences());
            }
            try (ModelWeights mw = ModelWeights.load(dir);
                    InferenceEngine engine = new InferenceEngine(mw, EngineOptions.defaults().withThreads(1))) {
                assertThat(mw.parameterCount()).isEqualTo(shape.parameterCount());
                for (int i = 0; i < PROMPTS.size(); i++) {
                    try (Sequence s = engine.newSequence()) {
                        float[] e = engine.forwardAll(s, sequences().get(i));
                        assertThat(relativeError(e, trainer.get(i))).as("%s, prompt %d", shape, i)
                                .isLessThan(RELATIVE);
                    }
                }
            }
        }
    }

    @Test
    void theSavedAdapterRunsInTheEngineWithTheTrainersLogits() {
        LabModelShape shape = TinyModels.TINY;
        LabWeights base = model(shape);
        Path baseDir = tmp.resolve("base");
        BaseModelWriter.write(base, baseDir, false);
        LoraSettings settings = new LoraSettings(4, 16, EnumSet.of(Projection.Q, Projection.V, Projection.O,
                Projection.GATE, Projection.DOWN));
        LoraWeights lora = LoraWeights.initialized(shape, settings, 8);
        SplittableRandom r = new SplittableRandom(6);
        for (NamedTensor f : lora.tensors()) {
            if (f.name().endsWith("lora_B")) {
                TinyModels.randomize(f.values(), 0.2, r);
            }
        }
        Path adapterDir = tmp.resolve("adapter");
        AdapterExport.write(lora, adapterDir, "lab-base", false);

        LoraConfig config = LoraConfig.read(adapterDir.resolve(LoraConfig.FILE_NAME));
        assertThat(config.r()).isEqualTo(4);
        assertThat(config.loraAlpha()).isEqualTo(16.0);
        assertThat(config.targetModules()).contains(new ModuleSelector.Names(
                List.of("q_proj", "v_proj", "o_proj", "gate_proj", "down_proj")));
        try (LoraAdapter loaded = LoraAdapter.load(adapterDir)) {
            assertThat(loaded.modules()).hasSize(shape.layers() * 5);
            assertThat(loaded.module("model.layers.1.mlp.gate_proj")).isPresent();
            assertThat(loaded.module("model.layers.1.mlp.gate_proj").orElseThrow().scaling()).isEqualTo(4.0);
        }

        List<float[]> trainer;
        try (Trainer t = Trainer.lora(base, lora, TinyModels.settings(1, 64, 100, 1e-3, 0), 2)) {
            trainer = t.logits(sequences());
        }
        List<float[]> plain;
        try (Trainer t = Trainer.full(base, TinyModels.settings(1, 64, 100, 1e-3, 0), 1)) {
            plain = t.logits(sequences());
        }
        try (ModelWeights mw = ModelWeights.load(baseDir);
                InferenceEngine engine = new InferenceEngine(mw, EngineOptions.defaults().withThreads(1))) {
            AdapterWeights adapter = AdapterWeights.load(adapterDir, mw.config(), Optional.empty());
            for (int i = 0; i < PROMPTS.size(); i++) {
                try (Sequence s = engine.newSequence(AdapterMix.single(adapter))) {
                    float[] e = engine.forwardAll(s, sequences().get(i));
                    assertThat(relativeError(e, trainer.get(i))).as("prompt %d", i).isLessThan(RELATIVE);
                    // and the adapter matters: the base alone is far from it
                    assertThat(relativeError(e, plain.get(i))).isGreaterThan(100 * RELATIVE);
                }
            }
        }
        assertThat(Files.exists(adapterDir.resolve("adapter_model.safetensors"))).isTrue();
    }
}
