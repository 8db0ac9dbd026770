package dev.concord.lab.calibrate;

import dev.concord.adapter.AdapterWriter;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleFactors;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.ModuleSelector;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.RandomCheckpoint;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A lab-shaped random model (hidden 64, 2 layers, 4 heads over 2 kv heads, SwiGLU 160, the lab's 128-token character
 * vocabulary and tokenizer), adapters for it, and prompts.
 *
 * <p>The adapters are built the way trained ones behave: A's rows are the embeddings of the letters a–h, so on
 * prompts made of those letters the update B·A·x of the q/k/v/gate/up projections (whose inputs are the normalized
 * residual stream) adds up coherently over the hidden dimension, while DARE's drop noise adds up like a random walk.
 * That is the regime in which DARE's rescale is worth something and its 1/(1 − p) overshoots (DAREx's point); with
 * entirely random A and inputs the best q would simply be 1.
 */
final class CalibrationFixtures {
    static final RandomCheckpoint.Shape SHAPE = new RandomCheckpoint.Shape(64, 160, 2, 4, 2, LabVocabulary.SIZE, true);
    static final String LETTERS = "abcdefgh";
    static final int RANK = LETTERS.length();

    private CalibrationFixtures() {}

    static Path model(Path dir) {
        RandomCheckpoint.write(dir, SHAPE, DType.F32, 7);
        LabTokenizerFiles.write(dir);
        return dir;
    }

    /** An adapter of rank 8 (alpha 16) on q/k/v/gate/up of every layer, A = letter embeddings, B ~ N(0, bStd²). */
    static Path adapter(Path dir, Path model, long seed, double bStd) {
        float[] embedding;
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            embedding = f.readFloats("model.embed_tokens.weight");
        }
        int h = SHAPE.hidden();
        float[] a = new float[RANK * h];
        for (int k = 0; k < RANK; k++) {
            System.arraycopy(embedding, LabVocabulary.encode(LETTERS.substring(k, k + 1))[0] * h, a, k * h, h);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ModuleFactors> modules = new ArrayList<>();
        int kv = SHAPE.kvHeads() * SHAPE.headDim();
        for (int l = 0; l < SHAPE.layers(); l++) {
            String p = "model.layers." + l + ".";
            modules.add(module(p + "self_attn.q_proj", a, h, rnd, bStd));
            modules.add(module(p + "self_attn.k_proj", a, kv, rnd, bStd));
            modules.add(module(p + "self_attn.v_proj", a, kv, rnd, bStd));
            modules.add(module(p + "mlp.gate_proj", a, SHAPE.intermediate(), rnd, bStd));
            modules.add(module(p + "mlp.up_proj", a, SHAPE.intermediate(), rnd, bStd));
        }
        LoraConfig config = LoraConfig.builder().r(RANK).loraAlpha(2 * RANK)
                .targetModules(new ModuleSelector.Names(List.of("q_proj", "k_proj", "v_proj", "gate_proj", "up_proj")))
                .build();
        AdapterWriter.write(dir, config, modules);
        return dir;
    }

    private static ModuleFactors module(String name, float[] a, int out, SplittableRandom rnd, double bStd) {
        float[] b = new float[out * RANK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (rnd.nextGaussian() * bStd);
        }
        return ModuleFactors.of(name, ModuleKind.LINEAR, new FloatMatrix(RANK, a.length / RANK, a.clone()),
                new FloatMatrix(out, RANK, b), DType.F32);
    }

    /** {@code count} prompts of the letters a–h, 8 to 40 long, one per line. */
    static Path prompts(Path file, int count, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 8 + rnd.nextInt(33);
            for (int c = 0; c < n; c++) {
                sb.append(LETTERS.charAt(rnd.nextInt(LETTERS.length())));
            }
            lines.add(sb.toString());
        }
        Files.write(file, lines);
        return file;
    }
}
