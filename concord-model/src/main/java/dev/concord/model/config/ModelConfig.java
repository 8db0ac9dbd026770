package dev.concord.model.config;

import java.util.List;
import java.util.OptionalInt;

/**
 * The typed view of a Hugging Face {@code config.json} for the Llama family (LlamaForCausalLM,
 * MistralForCausalLM, Qwen2ForCausalLM). Everything the forward pass needs is here, already resolved: defaults
 * filled in the way transformers fills them, {@code head_dim} derived when absent.
 *
 * @param slidingWindow attention window in tokens when sliding-window attention is in force, else empty
 * @param maxWindowLayers Qwen2: layers with index {@code >= maxWindowLayers} use the sliding window
 */
public record ModelConfig(
        Architecture architecture,
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        OptionalInt slidingWindow,
        int maxWindowLayers,
        OptionalInt bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Whether layer {@code layer} attends only to the last {@link #slidingWindow} positions. */
    public boolean usesSlidingWindow(int layer) {
        return slidingWindow.isPresent() && layer >= maxWindowLayers;
    }
}
