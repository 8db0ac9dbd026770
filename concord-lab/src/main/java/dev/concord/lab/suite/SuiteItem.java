package dev.concord.lab.suite;

import java.util.Objects;

/**
 * One held-out example: the prompt fed to the model and the reference answer. The model is expected to produce the
 * answer and then its end-of-sequence token; exact match compares the text decoded before that token with
 * {@code answer}.
 */
public record SuiteItem(String prompt, String answer) {
    public SuiteItem {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(answer, "answer");
    }
}
