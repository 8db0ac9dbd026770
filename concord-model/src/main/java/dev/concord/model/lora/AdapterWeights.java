package dev.concord.model.lora;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.ModuleKind;
import dev.concord.error.InvalidInputException;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.weights.Projection;
import dev.concord.model.weights.WeightMemory;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEFT LoRA adapter checked against a model and laid out for the engine: per layer and projection the factors
 * with their scaling, plus the optional output-layer ({@code lm_head}) and embedding updates. Factors live in
 * {@link WeightMemory} (mapped, like the base weights) in the adapter's own dtype, or in a dtype the caller
 * chooses.
 *
 * <p>Each instance has an {@link #id()}; the engine applies a sequence's adapters in increasing id order, so the
 * order of floating-point accumulation, and with it every result, does not depend on the batch.
 */
public final class AdapterWeights {
    private static final Pattern LAYER_MODULE = Pattern.compile("^model\\.layers\\.(\\d+)\\.(.+)$");

    private static final AtomicInteger NEXT_ID = new AtomicInteger(1);

    private final int id;
    private final String name;
    private final LoraFactors[][] layers;
    private final LoraFactors lmHead;
    private final EmbeddingLora embedding;
    private final int maxRank;

    private AdapterWeights(int id, String name, LoraFactors[][] layers, LoraFactors lmHead, EmbeddingLora embedding) {
        this.id = id;
        this.name = name;
        this.layers = layers;
        this.lmHead = lmHead;
        this.embedding = embedding;
        int r = lmHead == null ? 0 : lmHead.rank();
        for (LoraFactors[] l : layers) {
            for (LoraFactors f : l) {
                if (f != null) {
                    r = Math.max(r, f.rank());
                }
            }
        }
        this.maxRank = r;
    }

    /**
     * Loads the PEFT adapter in {@code dir} for a model with {@code config}, giving it the next engine-wide id
     * (adapters loaded earlier are applied first). The adapter's memory map is closed again: factors are copied.
     */
    public static AdapterWeights load(Path dir, ModelConfig config, Optional<WeightFormat> storage) {
        try (LoraAdapter adapter = LoraAdapter.load(dir)) {
            return of(adapter, config, NEXT_ID.getAndIncrement(), storage);
        }
    }

    /** The id the next loaded adapter gets; ids only order adapters, they are never reused. */
    public static int nextId() {
        return NEXT_ID.getAndIncrement();
    }

    /**
     * Reads and checks {@code adapter} against {@code config}: every module must be one of the model's projections,
     * its output layer or its token embedding, with factor shapes that fit; otherwise an {@link InvalidInputException}
     * names the module and both shapes. Factors keep the adapter's dtype when {@code storage} is empty.
     */
    public static AdapterWeights of(LoraAdapter adapter, ModelConfig config, int id, Optional<WeightFormat> storage) {
        adapter.requireNoModulesToSave("the inference engine");
        String where = "adapter " + adapter.directory();
        LoraFactors[][] layers = new LoraFactors[config.numLayers()][Projection.values().length];
        LoraFactors lmHead = null;
        EmbeddingLora embedding = null;
        for (LoraModule m : adapter.modules()) {
            String name = m.name();
            if (name.equals("model.embed_tokens")) {
                embedding = embedding(where, m, config);
                continue;
            }
            requireKind(where, m, ModuleKind.LINEAR);
            if (name.equals("lm_head")) {
                lmHead = factors(where, m, config.vocabSize(), config.hiddenSize(), storage);
                continue;
            }
            Matcher matcher = LAYER_MODULE.matcher(name);
            Projection p = matcher.matches() ? Projection.byModule(matcher.group(2)) : null;
            if (p == null) {
                throw new InvalidInputException(where + ": module '" + name + "' is not a layer of "
                        + config.architecture().className() + " (LoRA can target model.layers.<i>.self_attn."
                        + "{q,k,v,o}_proj, model.layers.<i>.mlp.{gate,up,down}_proj, lm_head, model.embed_tokens)");
            }
            String digits = matcher.group(1);
            long layer = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
            if (layer >= config.numLayers()) {
                throw new InvalidInputException(where + ": module '" + name + "' does not exist: the model has "
                        + config.numLayers() + " layers (0 to " + (config.numLayers() - 1) + ")");
            }
            layers[(int) layer][p.ordinal()] = factors(where, m, outFeatures(config, p), inFeatures(config, p), storage);
        }
        return new AdapterWeights(id, adapter.directory().toString(), layers, lmHead, embedding);
    }

    /** Builds an adapter from factors already in memory (tests, synthetic benchmarks). */
    public static AdapterWeights of(int id, String name, LoraFactors[][] layers, LoraFactors lmHead,
            EmbeddingLora embedding) {
        return new AdapterWeights(id, name, layers, lmHead, embedding);
    }

    static int outFeatures(ModelConfig c, Projection p) {
        return switch (p) {
            case Q -> c.numHeads() * c.headDim();
            case K, V -> c.numKvHeads() * c.headDim();
            case O, DOWN -> c.hiddenSize();
            case GATE, UP -> c.intermediateSize();
        };
    }

    static int inFeatures(ModelConfig c, Projection p) {
        return switch (p) {
            case Q, K, V, GATE, UP -> c.hiddenSize();
            case O -> c.numHeads() * c.headDim();
            case DOWN -> c.intermediateSize();
        };
    }

    private static void requireKind(String where, LoraModule m, ModuleKind kind) {
        if (m.kind() != kind) {
            throw new InvalidInputException(where + ": module '" + m.name() + "' holds " + m.kind()
                    + " factors but the model's layer is " + kind);
        }
    }

    private static LoraFactors factors(String where, LoraModule m, int out, int in, Optional<WeightFormat> storage) {
        if (m.inFeatures() != in || m.outFeatures() != out) {
            throw new InvalidInputException(where + ": module '" + m.name() + "' has A [" + m.rank() + ", "
                    + m.inFeatures() + "] and B [" + m.outFeatures() + ", " + m.rank() + "], but the model's "
                    + m.name() + " weight is [" + out + ", " + in + "]");
        }
        WeightFormat format = storage.orElse(WeightFormat.of(m.dtype()));
        return new LoraFactors(matrix(m.a(), format), matrix(m.b(), format), (float) m.scaling());
    }

    private static EmbeddingLora embedding(String where, LoraModule m, ModelConfig config) {
        requireKind(where, m, ModuleKind.EMBEDDING);
        if (m.inFeatures() != config.vocabSize() || m.outFeatures() != config.hiddenSize()) {
            throw new InvalidInputException(where + ": module '" + m.name() + "' has lora_embedding_A [" + m.rank()
                    + ", " + m.inFeatures() + "] and lora_embedding_B [" + m.outFeatures() + ", " + m.rank()
                    + "], but the model's embedding is [" + config.vocabSize() + ", " + config.hiddenSize() + "]");
        }
        FloatMatrix a = m.a();
        return new EmbeddingLora(a.transpose().data(), m.b().data(), m.rank(), config.vocabSize(),
                config.hiddenSize(), (float) m.scaling());
    }

    /** An off-heap matrix in {@code format}; narrowing is exact when the values came from that format. */
    static WeightMatrix matrix(FloatMatrix m, WeightFormat format) {
        return WeightMemory.matrix(m.data(), m.rows(), m.cols(), format);
    }

    /** The engine-wide identity that orders adapters when several apply to one sequence. */
    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The update of one projection, or null when this adapter leaves it alone. */
    public LoraFactors factors(int layer, Projection p) {
        return layers[layer][p.ordinal()];
    }

    /** The update of the output layer, or null. */
    public LoraFactors lmHead() {
        return lmHead;
    }

    /** The update of the token embedding, or null. */
    public EmbeddingLora embedding() {
        return embedding;
    }

    public int layerCount() {
        return layers.length;
    }

    /** The largest rank over all modules (sizes scratch space). */
    public int maxRank() {
        return maxRank;
    }

    /** Bytes of factors one forward step reads when every module of this adapter is applied once. */
    public long bytes() {
        long total = (lmHead == null ? 0 : lmHead.bytes()) + (embedding == null ? 0 : embedding.bytes());
        for (LoraFactors[] l : layers) {
            for (LoraFactors f : l) {
                if (f != null) {
                    total += f.bytes();
                }
            }
        }
        return total;
    }

    @Override
    public String toString() {
        return "AdapterWeights[" + id + ", " + name + "]";
    }
}
