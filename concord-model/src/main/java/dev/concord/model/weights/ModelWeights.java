package dev.concord.model.weights;

import dev.concord.model.config.ModelConfig;
import dev.concord.tensor.kernel.WeightMatrix;
import java.nio.file.Path;
import java.util.List;

/**
 * Every weight of a Llama-family causal LM, ready for the forward pass. Matrices are views into the checkpoint's
 * memory maps (no heap copy) unless they were quantized at load or rebuilt by a LoRA merge. Closing the instance
 * that loaded the checkpoint unmaps it; instances derived with {@link #derive} share the maps and do not own them.
 */
public final class ModelWeights implements AutoCloseable {
    private final ModelConfig config;
    private final WeightMatrix embedding;
    private final List<LayerWeights> layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final boolean tiedEmbeddings;
    private final Quantization quantization;
    private final AutoCloseable owned;

    ModelWeights(ModelConfig config, WeightMatrix embedding, List<LayerWeights> layers, float[] finalNorm,
            Linear lmHead, boolean tiedEmbeddings, Quantization quantization, AutoCloseable owned) {
        this.config = config;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.tiedEmbeddings = tiedEmbeddings;
        this.quantization = quantization;
        this.owned = owned;
    }

    /** Loads {@code dir} (config.json and safetensors weights) as stored, without quantization. */
    public static ModelWeights load(Path dir) {
        return load(dir, Quantization.NONE);
    }

    /**
     * Loads {@code dir}: reads config.json, memory-maps the safetensors shards, checks every tensor against the
     * config (names, shapes, dtypes, layer count) and, with {@link Quantization#Q8_0}, quantizes the projections and
     * the output layer onto the heap.
     */
    public static ModelWeights load(Path dir, Quantization quantization) {
        return CheckpointLoader.load(dir, quantization);
    }

    public ModelConfig config() {
        return config;
    }

    /** The token embedding table [vocab, hidden] (never quantized: rows are gathered, one per token). */
    public WeightMatrix embedding() {
        return embedding;
    }

    public int layerCount() {
        return layers.size();
    }

    public LayerWeights layer(int i) {
        return layers.get(i);
    }

    public List<LayerWeights> layers() {
        return layers;
    }

    /** The gain of the final RMSNorm ({@code model.norm}). */
    public float[] finalNorm() {
        return finalNorm;
    }

    /** The output projection [vocab, hidden]; the embedding table itself when the embeddings are tied. */
    public Linear lmHead() {
        return lmHead;
    }

    /** Whether logits come from the embedding table (no separate {@code lm_head.weight}, or tie_word_embeddings). */
    public boolean tiedEmbeddings() {
        return tiedEmbeddings;
    }

    public Quantization quantization() {
        return quantization;
    }

    /**
     * Bytes of weights a single-token decode step reads: every projection and the output layer in full, one row of
     * the embedding table. The numerator of the memory-bandwidth bound of decoding.
     */
    public long bytesReadPerToken() {
        long total = embedding.rowBytes() + lmHead.weight().streamedBytes();
        for (LayerWeights l : layers) {
            for (Projection p : Projection.values()) {
                total += l.linear(p).weight().streamedBytes();
            }
            total += 2L * Float.BYTES * config.hiddenSize();
        }
        return total;
    }

    /** Parameter count of the model as a checkpoint stores it (the output layer counted once more unless tied). */
    public long parameterCount() {
        long total = (long) embedding.rows() * embedding.cols() + finalNorm.length;
        if (!tiedEmbeddings) {
            total += (long) lmHead.weight().rows() * lmHead.weight().cols();
        }
        for (LayerWeights l : layers) {
            total += l.inputNorm().length + l.postAttentionNorm().length;
            for (Projection p : Projection.values()) {
                Linear lin = l.linear(p);
                total += (long) lin.outFeatures() * lin.inFeatures() + (lin.hasBias() ? lin.outFeatures() : 0);
            }
        }
        return total;
    }

    /**
     * Weights that share this instance's maps but replace the embedding, layers and output layer (LoRA merges).
     * The result does not own this instance's maps (keep it open while the result is used); it owns
     * {@code resources}, the memory of the new matrices, released by its {@link #close()}.
     */
    public ModelWeights derive(WeightMatrix newEmbedding, List<LayerWeights> newLayers, Linear newLmHead,
            AutoCloseable resources) {
        return new ModelWeights(config, newEmbedding, newLayers, finalNorm, newLmHead, tiedEmbeddings, quantization,
                resources);
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close checkpoint: " + e.getMessage(), e);
            }
        }
    }
}
