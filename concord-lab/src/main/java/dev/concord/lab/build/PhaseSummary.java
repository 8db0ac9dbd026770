package dev.concord.lab.build;

/**
 * What one training phase of a build did.
 *
 * @param name {@code base} or {@code adapter:<skill>}
 * @param steps optimizer steps
 * @param tokens training tokens seen
 * @param firstLoss loss of the first step
 * @param finalLoss mean loss of the last steps (see {@link dev.concord.lab.train.TrainingResult#FINAL_WINDOW})
 * @param wallSeconds wall time of the phase
 * @param cpuSeconds CPU time of the whole process during the phase (all threads, JIT and GC included)
 */
public record PhaseSummary(String name, int steps, long tokens, double firstLoss, double finalLoss, double wallSeconds,
        double cpuSeconds) {
    public double tokensPerSecond() {
        return wallSeconds > 0 ? tokens / wallSeconds : 0;
    }
}
