package dev.concord.analysis.html;

import dev.concord.analysis.CompositionReport;
import java.util.List;

/**
 * One set of skills as the evaluation report shows it: what the weight analysis predicted (may be null when the set
 * was not analyzed) and how each composition of the set actually scored on held-out data.
 *
 * @param title a heading, e.g. "Compatible: json + add + lookup"
 * @param skills the skills of the set, in column order
 * @param analysis the analyzer's composition verdict and recommendation, or null
 * @param outcomes one per evaluated composition (base, merges, routing...), in row order
 * @param heldOut what held-out data decided for the set, one short phrase (e.g. "no merge holds: serve
 *     separately"), shown next to the weight analysis's prediction; null when nothing was validated
 */
public record EvaluatedSet(String title, List<String> skills, CompositionReport analysis, List<Outcome> outcomes,
        String heldOut) {
    public EvaluatedSet {
        skills = List.copyOf(skills);
        outcomes = List.copyOf(outcomes);
    }

    /**
     * One composition's scores.
     *
     * @param label short row label, e.g. "ties (density 0.2)"
     * @param exactMatch per skill exact match in [0, 1] (NaN when not measured)
     * @param normalized per skill exact match divided by the skill's own adapter's (NaN when undefined)
     * @param recommended whether this is the composition Concord recommended for the set
     */
    public record Outcome(String label, double[] exactMatch, double[] normalized, boolean recommended) {
        public Outcome {
            exactMatch = exactMatch.clone();
            normalized = normalized.clone();
        }

        /** Mean of the defined normalized accuracies (NaN when none is defined). */
        public double meanNormalized() {
            double sum = 0;
            int n = 0;
            for (double v : normalized) {
                if (!Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }

        /** Smallest defined normalized accuracy (NaN when none is defined). */
        public double worstNormalized() {
            double worst = Double.NaN;
            for (double v : normalized) {
                if (!Double.isNaN(v) && (Double.isNaN(worst) || v < worst)) {
                    worst = v;
                }
            }
            return worst;
        }
    }
}
