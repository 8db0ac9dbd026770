package dev.concord.lab.build;

import dev.concord.lab.train.StepReport;

/** Follows a build step by step (the CLI prints loss and speed from it); called on the building thread. */
public interface BuildListener {
    BuildListener NONE = new BuildListener() { };

    /** Every optimizer step of phase {@code phase} ({@code base} or {@code adapter:<skill>}). */
    default void onStep(String phase, StepReport report) {
    }

    /** A phase has finished (its files are not written yet). */
    default void onPhase(PhaseSummary summary) {
    }
}
