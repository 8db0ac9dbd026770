package dev.concord.model.sample;

/**
 * What one generation produced.
 *
 * @param text                   the generated text (cut before a stop string, special tokens left out)
 * @param tokens                 the generated ids, the stopping EOS token excluded
 * @param finishReason           {@code stop} (EOS or stop string), {@code length} (max tokens or the context end)
 * @param promptTokens           tokens in the prompt
 * @param prefillTokensPerSecond prompt tokens divided by the time of the prefill step
 * @param decodeTokensPerSecond  decode steps (one token each, after the prefill) per second of decoding
 */
public record GenerationResult(String text, int[] tokens, String finishReason, int promptTokens,
        double prefillTokensPerSecond, double decodeTokensPerSecond) {}
