package dev.concord.merge;

import java.util.Locale;

/** What {@code concord merge} writes. */
public enum OutputFormat {
    /** A PEFT LoRA adapter directory (factors, scaling folded in). */
    ADAPTER,
    /** delta.safetensors: one dense F32 task vector per module. */
    DELTA,
    /** A full Hugging Face checkpoint: the base model with the merged update added. */
    MODEL;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
