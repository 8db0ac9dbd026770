package dev.concord.adapter;

/**
 * The two layer types a PEFT LoRA adapter can hold that Concord understands. They differ in how the factors are
 * stored and therefore in the orientation of the task vector (see {@link LoraModule#taskVector()}).
 */
public enum ModuleKind {
    /** {@code nn.Linear} (or GPT-2's {@code Conv1D} with fan_in_fan_out): keys {@code lora_A.weight} [r, in] and {@code lora_B.weight} [out, r]. */
    LINEAR,
    /** {@code nn.Embedding}: keys {@code lora_embedding_A} [r, vocab] and {@code lora_embedding_B} [hidden, r], no {@code .weight}. */
    EMBEDDING
}
