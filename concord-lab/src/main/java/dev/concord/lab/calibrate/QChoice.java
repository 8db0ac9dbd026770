package dev.concord.lab.calibrate;

import java.util.List;

/**
 * The q that {@link DarexCalibration} chose, and the evidence.
 *
 * @param q               the chosen rescale denominator (survivors times 1/q)
 * @param objective       its mean squared change of the logits against the merge without the drop
 * @param keepProbability the drop's keep probability (density): the search ran over [keepProbability, 1]
 * @param evaluations     every q tried, in the order tried (both ends of the interval among them)
 * @param prompts         calibration prompts used
 * @param tokens          positions scored over all prompts
 */
public record QChoice(double q, double objective, double keepProbability, List<QEvaluation> evaluations, int prompts,
        int tokens) {
    public QChoice {
        evaluations = List.copyOf(evaluations);
    }

    /** The objective at q = 1 (survivors kept as they are). */
    public double objectiveWithoutRescale() {
        return at(1.0);
    }

    /** The objective at q = keep probability, DARE's own 1/(1 − p) rescale. */
    public double objectiveWithDareRescale() {
        return at(keepProbability);
    }

    private double at(double value) {
        return evaluations.stream().filter(e -> e.q() == value).mapToDouble(QEvaluation::objective).findFirst()
                .orElseThrow(() -> new IllegalStateException("q = " + value + " was not evaluated"));
    }
}
