package dev.concord.lab.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.concord.error.InvalidInputException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class QSearchTest {

    private static QEvaluation best(double qMin, DoubleUnaryOperator f) {
        return QSearch.best(QSearch.run(qMin, f, () -> {}));
    }

    @Property(tries = 50)
    void aSmoothValleyIsFoundToWithinTheFinalBracket(@ForAll @DoubleRange(min = 0.05, max = 0.9) double qMin,
                                                     @ForAll @DoubleRange(min = 0, max = 1) double where) {
        double target = qMin + where * (1 - qMin);
        QEvaluation b = best(qMin, q -> (q - target) * (q - target) + 0.3 * Math.pow(q - target, 4));
        assertThat(b.q()).isCloseTo(target, within(0.006 * (1 - qMin) + 1e-12));
    }

    @Test
    void bothEndsAreAlwaysTriedAndTheAnswerIsNeverWorseThanEither() {
        List<QEvaluation> all = QSearch.run(0.1, q -> Math.sin(9 * q) + q, () -> {});
        assertThat(all).extracting(QEvaluation::q).contains(0.1, 1.0);
        assertThat(all).hasSize(QSearch.GRID_POINTS + QSearch.REFINEMENTS);
        QEvaluation b = QSearch.best(all);
        for (QEvaluation e : all) {
            assertThat(b.objective()).isLessThanOrEqualTo(e.objective());
        }
        // monotone objectives end at the matching end of the interval
        assertThat(best(0.2, q -> q).q()).isEqualTo(0.2);
        assertThat(best(0.2, q -> -q).q()).isEqualTo(1.0);
    }

    @Test
    void theSearchIsDeterministicAndTiesGoToTheMilderRescale() {
        DoubleUnaryOperator f = q -> Math.abs(Math.cos(7 * q));
        assertThat(QSearch.run(0.3, f, () -> {})).isEqualTo(QSearch.run(0.3, f, () -> {}));
        assertThat(best(0.25, q -> 5.0).q()).isEqualTo(1.0);
    }

    @Test
    void nothingDroppedMeansNothingToChoose() {
        AtomicInteger calls = new AtomicInteger();
        List<QEvaluation> all = QSearch.run(1.0, q -> calls.incrementAndGet(), calls::getAndIncrement);
        assertThat(all).containsExactly(new QEvaluation(1.0, 1.0));
        assertThatThrownBy(() -> QSearch.run(0, q -> q, () -> {})).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> QSearch.run(Double.NaN, q -> q, () -> {})).isInstanceOf(InvalidInputException.class);
    }
}
