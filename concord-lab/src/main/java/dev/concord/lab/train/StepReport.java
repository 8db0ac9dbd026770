package dev.concord.lab.train;

/**
 * What one optimizer step did.
 *
 * @param step 1-based index of the step
 * @param steps steps in the phase
 * @param loss mean cross-entropy over the batch's answer tokens, plus the L2 penalty when there is one
 * @param gradientNorm the global gradient norm before clipping
 * @param learningRate the rate this step used
 * @param tokens tokens in the batch
 * @param nanos wall time of the step
 */
public record StepReport(int step, int steps, double loss, double gradientNorm, double learningRate, int tokens,
        long nanos) {
}
