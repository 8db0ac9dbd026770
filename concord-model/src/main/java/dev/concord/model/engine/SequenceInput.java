package dev.concord.model.engine;

/**
 * The tokens one sequence contributes to a forward step: a whole prompt (prefill), a chunk of it, or a single
 * generated token (decode). {@code allLogits} asks for the logits at every one of these positions instead of only
 * the last.
 */
public record SequenceInput(Sequence sequence, int[] tokens, boolean allLogits) {
    public SequenceInput {
        if (sequence == null || tokens == null) {
            throw new IllegalArgumentException("a sequence input needs a sequence and tokens");
        }
        tokens = tokens.clone();
    }

    /** The last position's logits only (generation). */
    public static SequenceInput last(Sequence sequence, int... tokens) {
        return new SequenceInput(sequence, tokens, false);
    }

    /** Logits at every position (scoring, {@code concord forward}). */
    public static SequenceInput all(Sequence sequence, int... tokens) {
        return new SequenceInput(sequence, tokens, true);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    int count() {
        return tokens.length;
    }

    int token(int i) {
        return tokens[i];
    }

    /** Rows of logits this input yields. */
    int logitRows() {
        return allLogits ? tokens.length : 1;
    }
}
