package dev.concord.lab.train;

import dev.concord.io.AtomicDirectory;
import dev.concord.io.AtomicFiles;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes trained lab weights as an ordinary Hugging Face model directory: {@code config.json} (LlamaForCausalLM,
 * tied embeddings), {@code model.safetensors} in float32 with Hugging Face's tensor names (no {@code lm_head}: it is
 * tied) and the lab tokenizer's {@code tokenizer.json} / {@code tokenizer_config.json}. The directory appears
 * complete or not at all.
 */
public final class BaseModelWriter {
    public static final String WEIGHTS_FILE = "model.safetensors";

    private BaseModelWriter() {}

    /** Writes {@code weights} to {@code dir}; an existing {@code dir} is refused unless {@code replace}. */
    public static void write(LabWeights weights, Path dir, boolean replace) {
        try (AtomicDirectory out = AtomicDirectory.create(dir, replace)) {
            writeInto(weights, out.staging());
            out.commit();
        }
    }

    /** Writes the model's files into an existing empty directory (one that is itself being written atomically). */
    public static void writeInto(LabWeights weights, Path dir) {
        AtomicFiles.writeString(dir.resolve("config.json"), weights.shape().configJson());
        List<TensorData> tensors = weights.tensors().stream()
                .map(t -> TensorData.ofFloats(t.name(), DType.F32, t.shape(), t.values()))
                .toList();
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        LabTokenizerFiles.write(dir);
    }
}
