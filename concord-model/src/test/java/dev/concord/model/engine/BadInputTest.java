package dev.concord.model.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.model.engine.ModelRuntime.LoraMode;
import dev.concord.model.lora.AdapterSpec;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Quantization;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input named by the issue is refused with one clear line, before any compute. */
class BadInputTest {
    @TempDir
    Path tmp;

    private static final EngineOptions OPTIONS = EngineOptions.defaults().withThreads(1);

    private static ModelRuntime open(Path model, AdapterSpec... adapters) {
        return ModelRuntime.open(model, List.of(adapters), Quantization.NONE, LoraMode.UNMERGED, OPTIONS);
    }

    private Path copyModel(String name) throws IOException {
        Path src = ReferenceCases.model(name);
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        return dst;
    }

    private static void editConfig(Path model, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(model.resolve("config.json").toFile());
        edit.accept(c);
        json.writeValue(model.resolve("config.json").toFile(), c);
    }

    @Test
    void adapterWithOtherShapesNamesTheModuleAndBothShapes() {
        assertThatThrownBy(() -> open(ReferenceCases.model("llama-f32"),
                new AdapterSpec(ReferenceCases.adapter("mistral-f16"), 1f)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.layers.0.self_attn.k_proj")
                .hasMessageContaining("A [2, 64] and B [24, 2]")
                .hasMessageContaining("[32, 64]");
    }

    @Test
    void adapterForMoreLayersThanTheModelHas() {
        Path adapter = SyntheticAdapters.write(tmp.resolve("deep"), new SyntheticAdapterSpec(64, 160, 3, 4, 2, 272, 4, 8,
                false, List.of("q_proj"), dev.concord.tensor.DType.F32, 0.02, 1));
        assertThatThrownBy(() -> open(ReferenceCases.model("llama-f32"), new AdapterSpec(adapter, 1f)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.layers.2.self_attn.q_proj")
                .hasMessageContaining("2 layers");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAndEmptyListsAreRefused() {
        try (ModelRuntime rt = open(ReferenceCases.model("llama-f32")); Sequence s = rt.newSequence()) {
            assertThatThrownBy(() -> rt.engine().forwardAll(s, 1, 272)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("token id 272 at index 1").hasMessageContaining("vocab_size 272");
            assertThatThrownBy(() -> rt.engine().forwardAll(s, -1)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> rt.engine().forwardAll(s)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("empty token list");
            assertThat(s.length()).as("nothing was appended").isZero();
            assertThat(rt.engine().kvPool().usedBlocks()).isZero();
        }
    }

    @Test
    void sequencesLongerThanTheContextAreRefused() {
        try (ModelRuntime rt = open(ReferenceCases.model("llama-f32")); Sequence s = rt.newSequence()) {
            int[] tokens = new int[257];
            assertThatThrownBy(() -> rt.engine().forwardAll(s, tokens)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("max_position_embeddings 256");
        }
    }

    @Test
    void missingWeightFile() throws IOException {
        Path m = copyModel("llama-f32");
        Files.delete(m.resolve("model.safetensors"));
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no model.safetensors");
    }

    @Test
    void missingShardOfAShardedCheckpoint() throws IOException {
        Path m = copyModel("qwen2-bf16");
        Files.delete(m.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors");
    }

    @Test
    void truncatedWeightFile() throws IOException {
        Path m = copyModel("mistral-bf16");
        try (RandomAccessFile f = new RandomAccessFile(m.resolve("model.safetensors").toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void configThatContradictsTheTensors() throws IOException {
        Path m = copyModel("llama-f32");
        editConfig(m, c -> c.put("intermediate_size", 128));
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("contradicts").hasMessageContaining("mlp.gate_proj.weight")
                .hasMessageContaining("[160, 64]").hasMessageContaining("[128, 64]");
        editConfig(m, c -> {
            c.put("intermediate_size", 160);
            c.put("num_hidden_layers", 1);
        });
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("num_hidden_layers is 1").hasMessageContaining("model.layers.1.");
        editConfig(m, c -> c.put("num_hidden_layers", 3));
        assertThatThrownBy(() -> open(m)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no tensor 'model.layers.2.self_attn.q_proj.weight'");
    }

    @Test
    void unsupportedArchitectureNamesWhatIsSupported() throws IOException {
        Path m = copyModel("llama-f32");
        editConfig(m, c -> c.putArray("architectures").add("GPT2LMHeadModel"));
        assertThatThrownBy(() -> open(m)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("GPT2LMHeadModel").hasMessageContaining("LlamaForCausalLM")
                .hasMessageContaining("MistralForCausalLM").hasMessageContaining("Qwen2ForCausalLM");
    }

    @Test
    void untiedConfigWithoutLmHeadFallsBackToTheEmbedding() throws IOException {
        // the tensors decide: no lm_head.weight means the output layer is the embedding
        Path m = copyModel("llama-f32");
        editConfig(m, c -> c.put("tie_word_embeddings", false));
        try (ModelWeights w = ModelWeights.load(m)) {
            assertThat(w.tiedEmbeddings()).isTrue();
        }
    }
}
