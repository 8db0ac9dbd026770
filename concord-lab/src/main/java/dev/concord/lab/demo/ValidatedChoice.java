package dev.concord.lab.demo;

import dev.concord.lab.eval.EvalReport;
import dev.concord.lab.eval.EvalRequest;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.progress.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Concord's pick for a set: predict, then validate. The analyzer's recommendation and the usual merges are scored on
 * the <em>validation</em> split (never the test items the table reports); the merge whose worst skill keeps the most
 * of its own adapter's accuracy wins if that worst skill keeps at least {@link #HOLD}; otherwise no merge holds and
 * the adapters are served separately (routed), which keeps each exact. Weight statistics alone cannot see every
 * interference: adapters that share no direction can still break each other through the activations they change.
 */
public final class ValidatedChoice {
    /** A merge is only worth taking when its worst skill keeps this share of its own adapter's exact match. */
    public static final double HOLD = 0.8;

    private ValidatedChoice() {}

    /** The chosen composition, labelled with why. */
    public static DemoComposition choose(List<Path> adapters, List<String> skills, List<DemoComposition> candidates,
            LabEvaluator evaluator, Suite suite, int limit, Progress progress) {
        DemoComposition best = null;
        double bestWorst = Double.NEGATIVE_INFINITY;
        for (DemoComposition c : candidates) {
            EvalReport r = evaluator.evaluate(EvalRequest.of(c.composition(), suite, Split.VALIDATION)
                    .withSkills(skills).withLimit(limit).withControl(false).withNormalize(true), progress);
            double worst = r.worstSkill().map(w -> w.normalized()).orElse(Double.NEGATIVE_INFINITY);
            if (worst > bestWorst) {
                bestWorst = worst;
                best = c;
            }
        }
        if (best != null && bestWorst >= HOLD) {
            return new DemoComposition(String.format(Locale.ROOT, "Concord: %s (validated: %.2f)", best.label(),
                    bestWorst), best.composition(), true);
        }
        String why = best == null ? "" : String.format(Locale.ROOT, " (no merge holds: best %.2f)", bestWorst);
        return new DemoComposition("Concord: serve separately" + why, DemoCompositions.route(adapters), true);
    }
}
