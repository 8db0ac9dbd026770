package dev.concord.lab.build;

import java.nio.file.Path;

/**
 * The hook through which {@link LabBuild} has each freshly trained adapter evaluated. The evaluation harness
 * ({@code dev.concord.lab.eval}) implements it to write {@code eval.json} (the adapter's exact match on each split)
 * into the adapter's directory; the build itself only calls it.
 *
 * <p>Called once per skill, after the adapter is written and before the build's output is moved into place: the
 * paths lie inside the build's hidden staging directory and are complete (base model, suite, this adapter). A
 * failure fails the build, which then leaves nothing behind.
 */
@FunctionalInterface
public interface AdapterEvaluation {
    /** Evaluates nothing. */
    AdapterEvaluation NONE = (baseDir, adapterDir, suiteDir, skill) -> { };

    /**
     * @param baseDir the built base model (an HF model directory)
     * @param adapterDir the adapter of {@code skill} (a PEFT directory): where {@code eval.json} belongs
     * @param suiteDir the built evaluation suite
     * @param skill the adapter's skill
     */
    void evaluate(Path baseDir, Path adapterDir, Path suiteDir, String skill);
}
