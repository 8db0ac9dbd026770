package dev.concord.adapter;

import dev.concord.tensor.FloatMatrix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random PEFT LoRA adapters for a Llama-style model, written as real adapter directories (for the demo,
 * benchmarks and tests). Module names and shapes follow Hugging Face's LlamaForCausalLM:
 * {@code model.layers.{i}.self_attn.{q,k,v,o}_proj}, {@code model.layers.{i}.mlp.{gate,up,down}_proj},
 * {@code model.embed_tokens}, {@code lm_head}.
 *
 * <p>Every factor is drawn from its own generator seeded by (seed, module, factor), so values do not depend on the
 * order of generation, and factors are generated while being written, one at a time, so an adapter of any size
 * needs only one factor's worth of heap.
 */
public final class SyntheticAdapters {
    private SyntheticAdapters() {}

    /** One module of the synthetic model: name, kind and the base weight's in/out widths. */
    public record ModuleShape(String name, ModuleKind kind, int inFeatures, int outFeatures) {}

    /** The modules the spec's targets select, layer by layer, attention before MLP. */
    public static List<ModuleShape> modules(SyntheticAdapterSpec spec) {
        List<ModuleShape> out = new ArrayList<>();
        int h = spec.hidden();
        int kv = spec.kvHeads() * spec.headDim();
        if (spec.targets().contains("embed_tokens")) {
            out.add(new ModuleShape("model.embed_tokens", ModuleKind.EMBEDDING, spec.vocab(), h));
        }
        for (int layer = 0; layer < spec.layers(); layer++) {
            String attn = "model.layers." + layer + ".self_attn.";
            String mlp = "model.layers." + layer + ".mlp.";
            for (String t : spec.targets()) {
                switch (t) {
                    case "q_proj" -> out.add(new ModuleShape(attn + t, ModuleKind.LINEAR, h, h));
                    case "k_proj", "v_proj" -> out.add(new ModuleShape(attn + t, ModuleKind.LINEAR, h, kv));
                    case "o_proj" -> out.add(new ModuleShape(attn + t, ModuleKind.LINEAR, h, h));
                    case "gate_proj", "up_proj" ->
                            out.add(new ModuleShape(mlp + t, ModuleKind.LINEAR, h, spec.intermediate()));
                    case "down_proj" -> out.add(new ModuleShape(mlp + t, ModuleKind.LINEAR, spec.intermediate(), h));
                    default -> { } // embed_tokens and lm_head are not per layer
                }
            }
        }
        if (spec.targets().contains("lm_head")) {
            out.add(new ModuleShape("lm_head", ModuleKind.LINEAR, h, spec.vocab()));
        }
        return out;
    }

    /** The adapter_config.json of the spec: PEFT's defaults plus r, lora_alpha, use_rslora and target_modules. */
    public static LoraConfig config(SyntheticAdapterSpec spec) {
        return LoraConfig.builder()
                .taskType("CAUSAL_LM")
                .baseModelNameOrPath("synthetic-llama")
                .r(spec.rank())
                .loraAlpha(spec.alpha())
                .useRslora(spec.useRslora())
                .targetModules(new ModuleSelector.Names(spec.targets()))
                .build();
    }

    /** The factors of every module, generated only when written. */
    public static List<ModuleFactors> factors(SyntheticAdapterSpec spec) {
        List<ModuleFactors> out = new ArrayList<>();
        for (ModuleShape m : modules(spec)) {
            int r = spec.rank();
            out.add(ModuleFactors.generated(m.name(), m.kind(), r, m.inFeatures(), m.outFeatures(), spec.dtype(),
                    () -> factorA(spec, m), () -> factorB(spec, m)));
        }
        return out;
    }

    /** Writes the adapter directory (see {@link AdapterWriter}); refuses to replace a non-empty directory. */
    public static Path write(Path dir, SyntheticAdapterSpec spec) {
        AdapterWriter.write(dir, config(spec), factors(spec));
        return dir;
    }

    /** A [r, in]: uniform in ±1/sqrt(in), PEFT's default (Kaiming-uniform) initialisation of lora_A. */
    static FloatMatrix factorA(SyntheticAdapterSpec spec, ModuleShape m) {
        SplittableRandom rnd = generator(spec.seed(), m.name() + "/A");
        double bound = 1.0 / Math.sqrt(m.inFeatures());
        float[] v = new float[spec.rank() * m.inFeatures()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return new FloatMatrix(spec.rank(), m.inFeatures(), v);
    }

    /** B [out, r]: normal with standard deviation bStd (a trained B; PEFT starts it at zero). */
    static FloatMatrix factorB(SyntheticAdapterSpec spec, ModuleShape m) {
        SplittableRandom rnd = generator(spec.seed(), m.name() + "/B");
        float[] v = new float[m.outFeatures() * spec.rank()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * spec.bStd());
        }
        return new FloatMatrix(m.outFeatures(), spec.rank(), v);
    }

    private static SplittableRandom generator(long seed, String stream) {
        // FNV-1a over the stream name, so the seed of a factor depends on what it is, not on when it is made
        long h = 0xcbf29ce484222325L;
        for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        // SplittableRandom advances its state by the golden-ratio constant per draw, so a seed that is a linear
        // function of (seed, h) with that same constant would make nearby seeds shifted copies of one stream;
        // a full avalanche mix of each part keeps streams of different seeds unrelated.
        return new SplittableRandom(mix(mix(seed) ^ h));
    }

    /** The SplitMix64 finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
