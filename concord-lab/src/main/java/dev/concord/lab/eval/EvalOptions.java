package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;

/**
 * How the evaluator runs. Results never depend on {@code threads}, {@code maxActive} or {@code rowBudget} (the
 * engine's results do not depend on the batch); {@code margin} and {@code earlyStop} only change what the
 * generated text of a wrong answer looks like, never whether an answer is an exact match.
 *
 * @param threads     compute threads, the caller's included
 * @param margin      tokens a generation may run past the reference answer's length (the end-of-sequence token
 *                    counts as a generated token): budget = answer tokens + margin
 * @param speculative verify greedy decoding against the reference answer first (one teacher-forced step decides
 *                    every item whose greedy path stays on the reference, see {@link LabEvaluator}); when false,
 *                    every item is decoded token by token from its prompt
 * @param earlyStop   stop decoding an item as soon as its text can no longer become the reference answer
 * @param maxActive   most sequences decoding at once
 * @param rowBudget   most token rows per forward step (prompts, teacher-forced answers and decode tokens together)
 */
public record EvalOptions(int threads, int margin, boolean speculative, boolean earlyStop, int maxActive,
        int rowBudget) {
    public static final int DEFAULT_MARGIN = 4;

    public EvalOptions {
        if (threads < 1) {
            throw new InvalidInputException("--threads must be at least 1, got " + threads);
        }
        if (margin < 1) {
            throw new IllegalArgumentException("the margin must leave room for the end-of-sequence token");
        }
        if (maxActive < 1 || rowBudget < 1) {
            throw new IllegalArgumentException("batch limits must be positive");
        }
    }

    /** All processors, margin 4, speculative verification, early stop, 256 sequences and 4096 rows per step. */
    public static EvalOptions defaults() {
        return new EvalOptions(Runtime.getRuntime().availableProcessors(), DEFAULT_MARGIN, true, true, 256, 4096);
    }

    public EvalOptions withThreads(int t) {
        return new EvalOptions(t, margin, speculative, earlyStop, maxActive, rowBudget);
    }

    /** Plain greedy decoding of every item from its prompt to its end (for checks and for full generated texts). */
    public EvalOptions plainDecoding() {
        return new EvalOptions(threads, margin, false, false, maxActive, rowBudget);
    }

    public EvalOptions withBatchLimits(int active, int rows) {
        return new EvalOptions(threads, margin, speculative, earlyStop, active, rows);
    }
}
