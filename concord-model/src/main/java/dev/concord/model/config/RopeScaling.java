package dev.concord.model.config;

/**
 * RoPE frequency scaling as Hugging Face configs describe it. {@code DEFAULT} means plain RoPE; {@code LLAMA3}
 * is the wavelength-dependent scaling of Llama 3.1+ ({@code factor}, {@code low_freq_factor},
 * {@code high_freq_factor}, {@code original_max_position_embeddings}); {@code LINEAR} divides positions by
 * {@code factor}.
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) {
    public enum Type {
        DEFAULT,
        LINEAR,
        LLAMA3
    }

    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, 1.0, 1.0, 1.0, 0);
}
