package dev.concord.model.sample;

import dev.concord.error.InvalidInputException;

/**
 * How the next token is chosen from the logits, with transformers' semantics and order: divide by
 * {@code temperature}, keep the {@code topK} highest (0 = all), keep the smallest set of most likely tokens whose
 * probability reaches {@code topP} (1 = all), then draw with a generator seeded by {@code seed}. Temperature 0 is
 * greedy decoding (argmax, lowest id on ties).
 */
public record SamplingParams(double temperature, int topK, double topP, long seed) {
    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InvalidInputException("--temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new InvalidInputException("--top-k must be >= 0 (0 keeps every token), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidInputException("--top-p must be in (0, 1], got " + topP);
        }
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
