package dev.concord.lab.calibrate;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The deterministic one-dimensional search for q on [qMin, 1], where qMin is the keep probability (q = qMin is
 * DARE's own 1/(1 − p) rescale, q = 1 keeps the survivors as they are). First a grid of {@value #GRID_POINTS}
 * evenly spaced points including both ends, then {@value #REFINEMENTS} golden-section steps inside the interval
 * between the best grid point's neighbours. The answer is the best point evaluated, so it is never worse than
 * either end or any grid point even where the objective is not unimodal; ties go to the larger q (the milder
 * rescale). The same objective always gives the same answer.
 */
final class QSearch {
    static final int GRID_POINTS = 9;
    static final int REFINEMENTS = 10;
    private static final double INVERSE_GOLDEN = (Math.sqrt(5) - 1) / 2;

    private QSearch() {}

    /** Every evaluation in the order made; the best one is {@link #best}. */
    static List<QEvaluation> run(double qMin, DoubleUnaryOperator objective, Runnable afterEach) {
        if (!(qMin > 0 && qMin <= 1)) {
            throw new InvalidInputException("the search for q needs a keep probability in (0, 1], got " + qMin);
        }
        List<QEvaluation> done = new ArrayList<>();
        if (qMin == 1) {
            done.add(evaluate(1, objective, afterEach));
            return done;
        }
        double step = (1 - qMin) / (GRID_POINTS - 1);
        for (int k = 0; k < GRID_POINTS; k++) {
            done.add(evaluate(k == GRID_POINTS - 1 ? 1 : qMin + k * step, objective, afterEach));
        }
        int at = done.indexOf(best(done));
        double lo = done.get(Math.max(0, at - 1)).q();
        double hi = done.get(Math.min(GRID_POINTS - 1, at + 1)).q();
        double x1 = hi - INVERSE_GOLDEN * (hi - lo);
        double x2 = lo + INVERSE_GOLDEN * (hi - lo);
        QEvaluation f1 = evaluate(x1, objective, afterEach);
        QEvaluation f2 = evaluate(x2, objective, afterEach);
        done.add(f1);
        done.add(f2);
        for (int i = 2; i < REFINEMENTS; i++) {
            if (f1.objective() <= f2.objective()) {
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - INVERSE_GOLDEN * (hi - lo);
                f1 = evaluate(x1, objective, afterEach);
                done.add(f1);
            } else {
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + INVERSE_GOLDEN * (hi - lo);
                f2 = evaluate(x2, objective, afterEach);
                done.add(f2);
            }
        }
        return done;
    }

    /** The lowest objective; among equal ones the largest q. */
    static QEvaluation best(List<QEvaluation> evaluations) {
        return evaluations.stream()
                .min(Comparator.comparingDouble(QEvaluation::objective).thenComparing(e -> -e.q()))
                .orElseThrow();
    }

    private static QEvaluation evaluate(double q, DoubleUnaryOperator objective, Runnable afterEach) {
        double value = objective.applyAsDouble(q);
        if (Double.isNaN(value)) {
            throw new ConcordException("the calibration objective is not a number at q = " + q
                    + " (the model's outputs overflowed)");
        }
        afterEach.run();
        return new QEvaluation(q, value);
    }
}
