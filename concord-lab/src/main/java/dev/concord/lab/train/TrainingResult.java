package dev.concord.lab.train;

/**
 * The outcome of a training run.
 *
 * @param steps optimizer steps taken
 * @param tokens training tokens seen
 * @param firstLoss the loss of the first step
 * @param finalLoss the mean loss over the last {@link #FINAL_WINDOW} steps (or all, if fewer)
 * @param wallSeconds wall time of the steps
 */
public record TrainingResult(int steps, long tokens, double firstLoss, double finalLoss, double wallSeconds) {
    public static final int FINAL_WINDOW = 50;

    public double tokensPerSecond() {
        return wallSeconds > 0 ? tokens / wallSeconds : 0;
    }
}
