package dev.concord.lab.eval;

/**
 * What the model did on one item.
 *
 * @param skill           the item's skill
 * @param index           its position in the split (0-based)
 * @param prompt          the prompt
 * @param answer          the reference answer
 * @param generated       the greedy text generated before the end-of-sequence token (cut where it could no longer
 *                        become the answer when early stopping is on)
 * @param stopped         whether the model emitted its end-of-sequence token
 * @param exactMatch      stopped, and {@code generated} equals {@code answer}
 * @param correctTokens   reference tokens (answer tokens, then end-of-sequence) whose teacher-forced argmax is right
 * @param referenceTokens answer tokens + 1
 * @param nll             sum over the reference tokens of −log p(token | prompt, earlier reference tokens), nats
 */
public record ItemOutcome(String skill, int index, String prompt, String answer, String generated, boolean stopped,
        boolean exactMatch, int correctTokens, int referenceTokens, double nll) {}
