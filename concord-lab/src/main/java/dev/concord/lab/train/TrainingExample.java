package dev.concord.lab.train;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.tokenizer.LabVocabulary;

import java.util.Arrays;

/**
 * One training example as token ids: {@code <s>}, the prompt, the answer and {@code </s>}, with the target each
 * position predicts. Only the answer is learned: positions from the last prompt token on predict the next token
 * (answer characters, then {@code </s>}); the others carry {@link #NO_TARGET}.
 */
public record TrainingExample(int[] tokens, int[] targets) {
    /** The target of a position that takes no part in the loss. */
    public static final int NO_TARGET = -1;

    public TrainingExample {
        if (tokens.length != targets.length || tokens.length == 0) {
            throw new IllegalArgumentException("tokens and targets must be non-empty and of equal length");
        }
        tokens = tokens.clone();
        targets = targets.clone();
    }

    /** The example for a prompt and its answer, tokenized with the lab vocabulary. */
    public static TrainingExample of(String prompt, String answer) {
        int[] p = LabVocabulary.encodeWithBos(prompt);
        int[] a = LabVocabulary.encode(answer);
        int n = p.length + a.length + 1;
        int[] tokens = new int[n];
        System.arraycopy(p, 0, tokens, 0, p.length);
        System.arraycopy(a, 0, tokens, p.length, a.length);
        tokens[n - 1] = LabVocabulary.EOS;
        int[] targets = new int[n];
        Arrays.fill(targets, NO_TARGET);
        for (int j = p.length; j < n; j++) {
            targets[j - 1] = tokens[j];
        }
        return new TrainingExample(tokens, targets);
    }

    /** A sequence scored at no position (for forward passes that only want logits). */
    public static TrainingExample untargeted(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= LabVocabulary.SIZE) {
                throw new InvalidInputException("token id " + t + " is outside the lab vocabulary [0, "
                        + LabVocabulary.SIZE + ")");
            }
        }
        int[] targets = new int[tokens.length];
        Arrays.fill(targets, NO_TARGET);
        return new TrainingExample(tokens, targets);
    }

    public int length() {
        return tokens.length;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int[] targets() {
        return targets.clone();
    }

    int token(int i) {
        return tokens[i];
    }

    int target(int i) {
        return targets[i];
    }
}
