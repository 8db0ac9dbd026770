package dev.concord.lab.train;

import java.util.List;

/**
 * One training step's input: rows of at most {@code rowTokens} tokens, each holding whole examples back to back.
 * Positions restart at 0 for every example, and a token attends only to the earlier tokens of its own example, so
 * packing changes nothing about what each example computes. Padding is not stored: the tokens of all rows are kept
 * contiguously ({@code rowStart}), which is also what the passes compute on.
 */
public final class PackedBatch {
    private final int rowTokens;
    final int[] tokens;
    final int[] positions;
    final int[] targets;
    /** Row b holds tokens [rowStart[b], rowStart[b + 1]). */
    final int[] rowStart;
    /** Example e holds tokens [exampleStart[e], exampleStart[e + 1]). */
    final int[] exampleStart;
    /** Row b holds examples [rowExample[b], rowExample[b + 1]). */
    final int[] rowExample;
    private final int targetCount;

    private PackedBatch(int rowTokens, int[] tokens, int[] positions, int[] targets, int[] rowStart,
            int[] exampleStart, int[] rowExample) {
        this.rowTokens = rowTokens;
        this.tokens = tokens;
        this.positions = positions;
        this.targets = targets;
        this.rowStart = rowStart;
        this.exampleStart = exampleStart;
        this.rowExample = rowExample;
        int n = 0;
        for (int t : targets) {
            if (t != TrainingExample.NO_TARGET) {
                n++;
            }
        }
        this.targetCount = n;
    }

    /** Packs {@code rows}: each inner list is one row's examples, which must fit in {@code rowTokens}. */
    static PackedBatch of(List<List<TrainingExample>> rows, int rowTokens) {
        int total = 0;
        int examples = 0;
        for (List<TrainingExample> row : rows) {
            int used = row.stream().mapToInt(TrainingExample::length).sum();
            if (used > rowTokens) {
                throw new IllegalArgumentException("a row holds " + used + " tokens, more than " + rowTokens);
            }
            total += used;
            examples += row.size();
        }
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] targets = new int[total];
        int[] rowStart = new int[rows.size() + 1];
        int[] exampleStart = new int[examples + 1];
        int[] rowExample = new int[rows.size() + 1];
        int at = 0;
        int e = 0;
        for (int b = 0; b < rows.size(); b++) {
            rowStart[b] = at;
            rowExample[b] = e;
            for (TrainingExample x : rows.get(b)) {
                exampleStart[e++] = at;
                for (int i = 0; i < x.length(); i++) {
                    tokens[at] = x.token(i);
                    targets[at] = x.target(i);
                    positions[at] = i;
                    at++;
                }
            }
        }
        rowStart[rows.size()] = at;
        rowExample[rows.size()] = e;
        exampleStart[e] = at;
        return new PackedBatch(rowTokens, tokens, positions, targets, rowStart, exampleStart, rowExample);
    }

    /** Each sequence in a row of its own (forward passes for logits). */
    public static PackedBatch ofSequences(List<TrainingExample> sequences) {
        int longest = sequences.stream().mapToInt(TrainingExample::length).max().orElse(1);
        return of(sequences.stream().map(List::of).toList(), longest);
    }

    public int rows() {
        return rowStart.length - 1;
    }

    public int rowTokens() {
        return rowTokens;
    }

    /** Tokens in all rows (padding excluded): what tokens per second count. */
    public int tokenCount() {
        return tokens.length;
    }

    /** Positions that take part in the loss. */
    public int targetCount() {
        return targetCount;
    }

    public int exampleCount() {
        return exampleStart.length - 1;
    }

    /** Tokens in row b. */
    int rowLength(int b) {
        return rowStart[b + 1] - rowStart[b];
    }
}
