package dev.concord.model.sample;

import dev.concord.error.InvalidInputException;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates a continuation for one prompt: a prefill step over the prompt, then one decode step per token, each
 * token drawn by a {@link TokenSampler}; it stops on an end-of-sequence id, a stop string, {@code maxTokens}, or the
 * model's context length. Text is streamed as it becomes safe to show (see {@link StopStrings}).
 */
public final class Generator {
    private final InferenceEngine engine;
    private final Tokenizer tokenizer;
    private final Set<Integer> stopTokens;

    public Generator(InferenceEngine engine, Tokenizer tokenizer, Set<Integer> stopTokens) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.stopTokens = Set.copyOf(stopTokens);
    }

    /**
     * @param prompt    prompt ids (already with the special tokens the tokenizer's template adds)
     * @param adapters  the adapters the sequence runs with
     * @param maxTokens most tokens to generate
     * @param stops     stop strings
     * @param onText    receives the text as it is generated
     */
    public GenerationResult generate(int[] prompt, AdapterMix adapters, SamplingParams sampling, int maxTokens,
            List<String> stops, Consumer<String> onText) {
        if (prompt.length == 0) {
            throw new InvalidInputException("the prompt is empty: it encodes to no tokens");
        }
        if (maxTokens < 0) {
            throw new InvalidInputException("--max-tokens must be >= 0, got " + maxTokens);
        }
        int context = engine.config().maxPositionEmbeddings();
        if (prompt.length > context) {
            throw new InvalidInputException("the prompt is " + prompt.length + " tokens, longer than the model's context"
                    + " (max_position_embeddings " + context + ")");
        }
        int vocab = engine.config().vocabSize();
        TokenSampler sampler = new TokenSampler(sampling);
        StopStrings stream = new StopStrings(stops);
        int[] generated = new int[Math.max(0, Math.min(maxTokens, context - prompt.length + 1))];
        int count = 0;
        String finish = "length";
        long prefillNanos;
        long decodeNanos = 0;
        int decodeSteps = 0;
        try (Sequence seq = engine.newSequence(adapters)) {
            long t0 = System.nanoTime();
            float[] logits = engine.forwardLast(seq, prompt);
            prefillNanos = System.nanoTime() - t0;
            while (count < generated.length) {
                int next = sampler.next(logits, 0, vocab);
                if (stopTokens.contains(next)) {
                    finish = "stop";
                    break;
                }
                generated[count++] = next;
                String text = tokenizer.decode(Arrays.copyOf(generated, count), true);
                String safe = stream.advance(text);
                if (!safe.isEmpty()) {
                    onText.accept(safe);
                }
                if (stream.stopped()) {
                    finish = "stop";
                    break;
                }
                if (count == generated.length || seq.length() >= context) {
                    break;
                }
                long t1 = System.nanoTime();
                logits = engine.forwardLast(seq, next);
                decodeNanos += System.nanoTime() - t1;
                decodeSteps++;
            }
        }
        int[] tokens = Arrays.copyOf(generated, count);
        String rest = stream.finish(tokenizer.decode(tokens, true));
        if (!rest.isEmpty()) {
            onText.accept(rest);
        }
        double prefillRate = prompt.length / (prefillNanos / 1e9);
        double decodeRate = decodeSteps == 0 ? 0 : decodeSteps / (decodeNanos / 1e9);
        return new GenerationResult(stream.text(), tokens, finish, prompt.length, prefillRate, decodeRate);
    }
}
