package dev.concord.lab.train;

import dev.concord.error.InvalidInputException;

/**
 * How one training phase runs: its token budget, learning-rate schedule, batch geometry and optimizer settings.
 * The step count follows from the budget as in the torch prototype: {@code tokens / (rowTokens · batchRows · 0.9)}
 * (rows are about 90% full).
 *
 * @param tokens the budget of training tokens (prompt and answer tokens of whole examples)
 * @param peakLr the learning rate reached after warm-up
 * @param batchRows rows per step
 * @param rowTokens tokens per row; examples are packed whole into rows
 * @param warmupSteps steps of linear warm-up
 * @param weightDecay AdamW's decoupled weight decay
 * @param minLrFraction where the cosine decay ends, as a fraction of the peak
 * @param clipNorm the global gradient norm above which gradients are scaled down
 * @param beta1 AdamW's first-moment decay
 * @param beta2 AdamW's second-moment decay
 * @param deltaL2 λ of the L2 penalty on a LoRA update (0: none; ignored in full training)
 */
public record TrainingSettings(long tokens, double peakLr, int batchRows, int rowTokens, int warmupSteps,
        double weightDecay, double minLrFraction, double clipNorm, double beta1, double beta2, double deltaL2) {
    /** The fraction of a row's tokens that examples fill on average, used to turn a budget into steps. */
    public static final double ROW_FILL = 0.9;
    /** AdamW's epsilon (torch's default). */
    public static final double ADAM_EPS = 1e-8;

    public TrainingSettings {
        if (tokens < 1 || batchRows < 1 || rowTokens < 2 || warmupSteps < 0) {
            throw new InvalidInputException("training needs a positive token budget, at least one row of at least 2 "
                    + "tokens and a non-negative warm-up, got " + tokens + " tokens, " + batchRows + " rows of "
                    + rowTokens + ", warm-up " + warmupSteps);
        }
        requireFinite("learning rate", peakLr, false);
        requireFinite("weight decay", weightDecay, true);
        requireFinite("gradient clipping norm", clipNorm, false);
        requireFinite("L2 penalty", deltaL2, true);
        if (!(minLrFraction >= 0 && minLrFraction <= 1)) {
            throw new InvalidInputException("the final learning-rate fraction must be in [0, 1], got " + minLrFraction);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new InvalidInputException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
    }

    private static void requireFinite(String what, double value, boolean zeroAllowed) {
        if (!Double.isFinite(value) || value < 0 || (!zeroAllowed && value == 0)) {
            throw new InvalidInputException(what + " must be a " + (zeroAllowed ? "non-negative" : "positive")
                    + " number, got " + value);
        }
    }

    /** Optimizer steps for the budget (at least one). */
    public int steps() {
        long steps = (long) (tokens / (rowTokens * (double) batchRows * ROW_FILL));
        return Math.clamp(steps, 1, Integer.MAX_VALUE);
    }

    public TrainingSettings withTokens(long newTokens) {
        return new TrainingSettings(newTokens, peakLr, batchRows, rowTokens, warmupSteps, weightDecay, minLrFraction,
                clipNorm, beta1, beta2, deltaL2);
    }

    public TrainingSettings withDeltaL2(double lambda) {
        return new TrainingSettings(tokens, peakLr, batchRows, rowTokens, warmupSteps, weightDecay, minLrFraction,
                clipNorm, beta1, beta2, lambda);
    }
}
