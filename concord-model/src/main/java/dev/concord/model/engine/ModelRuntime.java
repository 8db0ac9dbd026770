package dev.concord.model.engine;

import dev.concord.error.InvalidInputException;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterSpec;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.lora.LoraMerge;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Quantization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model directory and its adapters made ready to run, as the commands need it: weights loaded (memory-mapped,
 * optionally quantized), adapters checked against the model, then either folded into the weights
 * ({@link LoraMode#MERGED}) or kept apart and applied per sequence ({@link LoraMode#UNMERGED}).
 */
public final class ModelRuntime implements AutoCloseable {
    /** How adapters are applied. */
    public enum LoraMode {
        /** {@code y = W x + Σ w·s·B(A x)} at every step: exact, and any mix per sequence. */
        UNMERGED,
        /** Weights rebuilt once as {@code W + Σ w·s·B·A} (float32): base-model speed for one fixed mix. */
        MERGED
    }

    private final ModelWeights base;
    private final ModelWeights running;
    private final InferenceEngine engine;
    private final AdapterMix mix;

    private ModelRuntime(ModelWeights base, ModelWeights running, InferenceEngine engine, AdapterMix mix) {
        this.base = base;
        this.running = running;
        this.engine = engine;
        this.mix = mix;
    }

    public static ModelRuntime open(Path modelDir, List<AdapterSpec> adapters, Quantization quantization,
            LoraMode mode, EngineOptions options) {
        ModelWeights base = ModelWeights.load(modelDir, quantization);
        try {
            List<AdapterMix.Entry> entries = new ArrayList<>();
            Set<Path> seen = new HashSet<>();
            for (AdapterSpec spec : adapters) {
                if (!seen.add(spec.path().toAbsolutePath().normalize())) {
                    throw new InvalidInputException("--adapter " + spec.path() + " is given twice; give it once with "
                            + "the combined weight");
                }
                AdapterWeights a = AdapterWeights.load(spec.path(), base.config(), Optional.empty());
                entries.add(new AdapterMix.Entry(a, spec.weight()));
            }
            AdapterMix mix = AdapterMix.of(entries);
            ModelWeights running = base;
            AdapterMix perSequence = mix;
            if (mode == LoraMode.MERGED && !mix.isEmpty()) {
                running = LoraMerge.fold(base, mix);
                perSequence = AdapterMix.NONE;
            }
            try {
                return new ModelRuntime(base, running, new InferenceEngine(running, options), perSequence);
            } catch (RuntimeException | Error e) {
                if (running != base) {
                    running.close();
                }
                throw e;
            }
        } catch (RuntimeException | Error e) {
            base.close();
            throw e;
        }
    }

    public InferenceEngine engine() {
        return engine;
    }

    /** The adapters new sequences should run with (none when they were merged). */
    public AdapterMix sequenceAdapters() {
        return mix;
    }

    public ModelWeights baseWeights() {
        return base;
    }

    /** The weights the engine runs: the base, or the merged copy. */
    public ModelWeights runningWeights() {
        return running;
    }

    /** A new sequence with this runtime's adapters. */
    public Sequence newSequence() {
        return engine.newSequence(mix);
    }

    @Override
    public void close() {
        engine.close();
        if (running != base) {
            running.close();
        }
        base.close();
    }
}
