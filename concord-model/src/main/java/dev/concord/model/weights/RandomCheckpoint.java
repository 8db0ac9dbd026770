package dev.concord.model.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a random Llama checkpoint as an ordinary Hugging Face model directory (config.json and
 * model.safetensors), so that benchmarks can run Concord and other engines on exactly the same weights. Values are
 * uniform with standard deviation 1/sqrt(in) (activations stay O(1)), norm gains 1; every tensor has its own
 * generator derived from the seed and its name.
 */
public final class RandomCheckpoint {
    /** The shape of a Llama-style model. */
    public record Shape(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab, boolean tied) {
        public Shape {
            if (hidden < 1 || intermediate < 1 || layers < 1 || heads < 1 || kvHeads < 1 || vocab < 1) {
                throw new InvalidInputException("model sizes must be positive");
            }
            if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
                throw new InvalidInputException("hidden " + hidden + " must be a multiple of heads " + heads
                        + " with an even head size, and heads a multiple of kv heads " + kvHeads);
            }
        }

        /** The shape other CPU engines are compared on: 124.7M parameters (hidden 768, 12 layers, GQA 12/4). */
        public static Shape llama125m() {
            return new Shape(768, 2048, 12, 12, 4, 32000, false);
        }

        public int headDim() {
            return hidden / heads;
        }

        public long parameterCount() {
            long kv = (long) kvHeads * headDim();
            long perLayer = 2L * hidden * hidden + 2L * hidden * kv + 3L * hidden * intermediate + 2L * hidden;
            return (long) vocab * hidden * (tied ? 1 : 2) + layers * perLayer + hidden;
        }
    }

    private RandomCheckpoint() {}

    /** Writes the checkpoint into {@code dir}, which must not exist or be empty. */
    public static Path write(Path dir, Shape shape, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new InvalidInputException("random checkpoints are F32, F16 or BF16, not " + dtype);
        }
        try {
            if (Files.exists(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new InvalidInputException(dir + ": already exists and is not empty");
                    }
                }
            }
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config(shape, dtype));
        } catch (IOException e) {
            throw new ConcordException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        Map<String, long[]> tensors = tensors(shape);
        List<TensorSpec> specs = new ArrayList<>();
        tensors.forEach((name, dims) -> specs.add(new TensorSpec(name, dtype, dims)));
        try (SafetensorsWriter w = SafetensorsWriter.open(dir.resolve("model.safetensors"), specs,
                Map.of("format", "pt"))) {
            for (Map.Entry<String, long[]> t : tensors.entrySet()) {
                writeTensor(w, t.getKey(), t.getValue(), seed);
            }
            w.commit();
        }
        return dir;
    }

    private static Map<String, long[]> tensors(Shape s) {
        Map<String, long[]> t = new LinkedHashMap<>();
        long h = s.hidden();
        long kv = (long) s.kvHeads() * s.headDim();
        t.put("model.embed_tokens.weight", new long[] {s.vocab(), h});
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", new long[] {h});
            t.put(p + "self_attn.q_proj.weight", new long[] {h, h});
            t.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            t.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            t.put(p + "self_attn.o_proj.weight", new long[] {h, h});
            t.put(p + "post_attention_layernorm.weight", new long[] {h});
            t.put(p + "mlp.gate_proj.weight", new long[] {s.intermediate(), h});
            t.put(p + "mlp.up_proj.weight", new long[] {s.intermediate(), h});
            t.put(p + "mlp.down_proj.weight", new long[] {h, s.intermediate()});
        }
        t.put("model.norm.weight", new long[] {h});
        if (!s.tied()) {
            t.put("lm_head.weight", new long[] {s.vocab(), h});
        }
        return t;
    }

    private static void writeTensor(SafetensorsWriter w, String name, long[] dims, long seed) {
        if (dims.length == 1) {
            float[] ones = new float[(int) dims[0]];
            Arrays.fill(ones, 1f);
            w.writeFloats(ones);
            return;
        }
        int rows = (int) dims[0];
        int cols = (int) dims[1];
        SplittableRandom rnd = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
        // uniform(-a, a) has standard deviation a / sqrt(3)
        double a = Math.sqrt(3.0 / (name.contains("embed_tokens") ? 1 : cols));
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) ((rnd.nextDouble() * 2 - 1) * a);
            }
            w.writeFloats(row);
        }
    }

    private static String config(Shape s, DType dtype) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("vocab_size", s.vocab());
        c.put("max_position_embeddings", 2048);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.putNull("rope_scaling");
        c.put("tie_word_embeddings", s.tied());
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        return json.writeValueAsString(c) + "\n";
    }
}
