package dev.concord.model.weights;

import dev.concord.tensor.kernel.WeightMatrix;

/**
 * One linear layer {@code y = W x (+ b)}: the weight in Hugging Face's [out, in] layout and the bias, which is null
 * when the checkpoint has none (Qwen2 has q/k/v biases, Llama and Mistral usually none).
 */
public record Linear(WeightMatrix weight, float[] bias) {
    public int inFeatures() {
        return weight.cols();
    }

    public int outFeatures() {
        return weight.rows();
    }

    public boolean hasBias() {
        return bias != null;
    }

    /** The same layer with another weight matrix of the same shape (merged LoRA, quantized copy). */
    public Linear withWeight(WeightMatrix w) {
        if (w.rows() != weight.rows() || w.cols() != weight.cols()) {
            throw new IllegalArgumentException("replacement " + w + " does not match " + weight);
        }
        return new Linear(w, bias);
    }
}
