package dev.concord.cli;

import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a tiny Llama-shaped Hugging Face model directory (random weights) for command tests. */
public final class TinyModelDir {
    private TinyModelDir() {}

    public static Path write(Path dir, int hidden, int inter, int layers, int heads, int kvHeads, int vocab, DType dtype)
            throws IOException {
        Files.createDirectories(dir);
        int headDim = hidden / heads;
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "vocab_size": %d, "max_position_embeddings": 256,
                 "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false,
                 "torch_dtype": "float32", "bos_token_id": 1, "eos_token_id": [2, 3]}
                """.formatted(hidden, inter, layers, heads, kvHeads, vocab));
        List<TensorData> t = new ArrayList<>();
        java.util.Random rnd = new java.util.Random(7);
        t.add(mat("model.embed_tokens.weight", dtype, vocab, hidden, rnd));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            t.add(mat(p + "self_attn.q_proj.weight", dtype, heads * headDim, hidden, rnd));
            t.add(mat(p + "self_attn.k_proj.weight", dtype, kvHeads * headDim, hidden, rnd));
            t.add(mat(p + "self_attn.v_proj.weight", dtype, kvHeads * headDim, hidden, rnd));
            t.add(mat(p + "self_attn.o_proj.weight", dtype, hidden, heads * headDim, rnd));
            t.add(mat(p + "mlp.gate_proj.weight", dtype, inter, hidden, rnd));
            t.add(mat(p + "mlp.up_proj.weight", dtype, inter, hidden, rnd));
            t.add(mat(p + "mlp.down_proj.weight", dtype, hidden, inter, rnd));
            t.add(vec(p + "input_layernorm.weight", dtype, hidden));
            t.add(vec(p + "post_attention_layernorm.weight", dtype, hidden));
        }
        t.add(vec("model.norm.weight", dtype, hidden));
        t.add(mat("lm_head.weight", dtype, vocab, hidden, rnd));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        return dir;
    }

    private static TensorData mat(String name, DType dt, int rows, int cols, java.util.Random rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return TensorData.ofFloats(name, dt, new long[] {rows, cols}, v);
    }

    private static TensorData vec(String name, DType dt, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return TensorData.ofFloats(name, dt, new long[] {n}, v);
    }
}
