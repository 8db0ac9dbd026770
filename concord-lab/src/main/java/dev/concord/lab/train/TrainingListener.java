package dev.concord.lab.train;

/** Receives every optimizer step of a training run (for progress display and logs); called on the training thread. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = report -> { };

    void onStep(StepReport report);
}
