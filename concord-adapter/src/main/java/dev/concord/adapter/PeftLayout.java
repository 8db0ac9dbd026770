package dev.concord.adapter;

/**
 * File names and tensor-key grammar of a PEFT adapter directory, as PEFT's save_pretrained writes them (adapter
 * name removed from the keys). A LoRA key is {@code base_model.model.<module>.<suffix>} with one of four suffixes.
 */
final class PeftLayout {
    static final String CONFIG_FILE = LoraConfig.FILE_NAME;
    static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PEFT's legacy pickle format; Concord never unpickles. */
    static final String PICKLE_FILE = "adapter_model.bin";
    static final String PREFIX = "base_model.model.";

    static final String LINEAR_A = ".lora_A.weight";
    static final String LINEAR_B = ".lora_B.weight";
    static final String EMBEDDING_A = ".lora_embedding_A";
    static final String EMBEDDING_B = ".lora_embedding_B";
    static final String DORA_MAGNITUDE = "lora_magnitude_vector";

    private PeftLayout() {}

    /** Which factor a key holds. */
    enum Factor { A, B }

    /** A key split into its module, kind and factor; null fields when the key is not a plain LoRA factor key. */
    record ParsedKey(String module, ModuleKind kind, Factor factor) {}

    static ParsedKey parse(String key) {
        if (!key.startsWith(PREFIX)) {
            return null;
        }
        String rest = key.substring(PREFIX.length());
        ParsedKey p = suffixed(rest, LINEAR_A, ModuleKind.LINEAR, Factor.A);
        if (p == null) {
            p = suffixed(rest, LINEAR_B, ModuleKind.LINEAR, Factor.B);
        }
        if (p == null) {
            p = suffixed(rest, EMBEDDING_A, ModuleKind.EMBEDDING, Factor.A);
        }
        if (p == null) {
            p = suffixed(rest, EMBEDDING_B, ModuleKind.EMBEDDING, Factor.B);
        }
        return p;
    }

    private static ParsedKey suffixed(String rest, String suffix, ModuleKind kind, Factor factor) {
        if (rest.length() > suffix.length() && rest.endsWith(suffix)) {
            return new ParsedKey(rest.substring(0, rest.length() - suffix.length()), kind, factor);
        }
        return null;
    }

    static String key(String module, ModuleKind kind, Factor factor) {
        String suffix = switch (kind) {
            case LINEAR -> factor == Factor.A ? LINEAR_A : LINEAR_B;
            case EMBEDDING -> factor == Factor.A ? EMBEDDING_A : EMBEDDING_B;
        };
        return PREFIX + module + suffix;
    }
}
