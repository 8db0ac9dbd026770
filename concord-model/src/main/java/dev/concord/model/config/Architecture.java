package dev.concord.model.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The model classes Concord runs; all share the Llama decoder layout (RMSNorm, RoPE, GQA, SwiGLU). */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "llama"),
    MISTRAL("MistralForCausalLM", "mistral"),
    QWEN2("Qwen2ForCausalLM", "qwen2");

    private final String className;
    private final String modelType;

    Architecture(String className, String modelType) {
        this.className = className;
        this.modelType = modelType;
    }

    public String className() {
        return className;
    }

    public String modelType() {
        return modelType;
    }

    public static Optional<Architecture> fromClassName(String name) {
        return Arrays.stream(values()).filter(a -> a.className.equals(name)).findFirst();
    }

    public static Optional<Architecture> fromModelType(String type) {
        return Arrays.stream(values()).filter(a -> a.modelType.equals(type)).findFirst();
    }

    public static String supportedList() {
        return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
    }
}
