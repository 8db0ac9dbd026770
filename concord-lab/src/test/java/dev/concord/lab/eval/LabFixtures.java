package dev.concord.lab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A lab-shaped model small enough for unit tests (hidden 64, 2 layers, 4 heads over 2 kv heads, SwiGLU 160, the
 * lab's 128-token character vocabulary and tokenizer) with random weights, and PEFT adapters for it.
 *
 * <p>The output layer is untied and its rows for non-printable ids are zero, so that greedy decoding wanders over
 * printable characters (whose text re-encodes to the same ids) instead of echoing its input or emitting reserved
 * ids. The end-of-sequence id is a config setting tests choose ({@link #setEos}).
 */
final class LabFixtures {
    static final LabModelShape SHAPE = new LabModelShape(64, 2, 4, 2, 160);

    private LabFixtures() {}

    static Path model(Path dir, long seed, int eosTokenId) throws IOException {
        Files.createDirectories(dir);
        int h = SHAPE.hidden();
        int kv = SHAPE.kvHeads() * SHAPE.headDim();
        int inter = SHAPE.intermediate();
        int vocab = LabVocabulary.SIZE;
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TensorData> t = new ArrayList<>();
        t.add(matrix("model.embed_tokens.weight", vocab, h, 1.0, rnd));
        for (int l = 0; l < SHAPE.layers(); l++) {
            String p = "model.layers." + l + ".";
            t.add(matrix(p + "self_attn.q_proj.weight", h, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "self_attn.k_proj.weight", kv, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "self_attn.v_proj.weight", kv, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "self_attn.o_proj.weight", h, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "mlp.gate_proj.weight", inter, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "mlp.up_proj.weight", inter, h, 1 / Math.sqrt(h), rnd));
            t.add(matrix(p + "mlp.down_proj.weight", h, inter, 1 / Math.sqrt(inter), rnd));
            t.add(ones(p + "input_layernorm.weight", h));
            t.add(ones(p + "post_attention_layernorm.weight", h));
        }
        t.add(ones("model.norm.weight", h));
        float[] head = random(vocab * h, 1 / Math.sqrt(h), rnd);
        for (int id = 0; id < vocab; id++) {
            if (id < 32 || id > 126) {
                Arrays.fill(head, id * h, (id + 1) * h, 0f);
            }
        }
        t.add(TensorData.ofFloats("lm_head.weight", DType.F32, new long[] {vocab, h}, head));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        LabTokenizerFiles.write(dir);
        setEos(dir, eosTokenId);
        return dir;
    }

    /** Rewrites config.json with {@code eosTokenId} as the end-of-sequence id. */
    static void setEos(Path dir, int eosTokenId) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(SHAPE.configJson());
        config.put("tie_word_embeddings", false);
        config.put("eos_token_id", eosTokenId);
        Files.writeString(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /** A rank-4 adapter on all seven projections whose B entries have standard deviation {@code bStd}. */
    static Path adapter(Path dir, long seed, double bStd) {
        return SyntheticAdapters.write(dir, new SyntheticAdapterSpec(SHAPE.hidden(), SHAPE.intermediate(),
                SHAPE.layers(), SHAPE.heads(), SHAPE.kvHeads(), LabVocabulary.SIZE, 4, 8, false,
                SyntheticAdapterSpec.ALL_PROJECTIONS, DType.F32, bStd, seed));
    }

    private static TensorData matrix(String name, int rows, int cols, double std, SplittableRandom rnd) {
        return TensorData.ofFloats(name, DType.F32, new long[] {rows, cols}, random(rows * cols, std, rnd));
    }

    private static float[] random(int n, double std, SplittableRandom rnd) {
        float[] v = new float[n];
        double a = std * Math.sqrt(3);
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
        }
        return v;
    }

    private static TensorData ones(String name, int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return TensorData.ofFloats(name, DType.F32, new long[] {n}, v);
    }
}
