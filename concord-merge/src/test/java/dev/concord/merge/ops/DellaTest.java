package dev.concord.merge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DellaTest {
    @Test
    void probabilitiesRiseLinearlyWithRankFromDensityMinusToPlusEpsilon() {
        float[] row = {0.3f, -0.1f, 0.2f, 0.4f, -0.5f};
        float[] sorted = Della.sortedMagnitudes(row, 0, row.length);
        assertThat(Della.keepProbability(Della.rankNorm(sorted, 0.1f), 0.5, 0.1)).isCloseTo(0.4, within(1e-12));
        assertThat(Della.keepProbability(Della.rankNorm(sorted, 0.3f), 0.5, 0.1)).isCloseTo(0.5, within(1e-12));
        assertThat(Della.keepProbability(Della.rankNorm(sorted, 0.5f), 0.5, 0.1)).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void inverseRescaleKeepsTheExpectation() {
        float[] row = TopMagnitudeSelectionTest.values(5, 64, false);
        float[] sorted = Della.sortedMagnitudes(row, 0, row.length);
        double[] mean = new double[row.length];
        int trials = 4000;
        for (int s = 0; s < trials; s++) {
            float[] v = row.clone();
            Della.apply(sorted, MaskRandom.of(s, MaskRandom.STREAM_DELLA, "m", 0), 0.4, 0.2, true, v, 0, v.length, 0);
            for (int j = 0; j < v.length; j++) {
                mean[j] += v[j] / (double) trials;
            }
        }
        for (int j = 0; j < row.length; j++) {
            // p ≥ 0.2, so the variance of one draw is at most x²·(1/p − 1) ≤ 4x²
            assertThat(mean[j]).isCloseTo(row[j], within(6 * 2 * Math.abs(row[j]) / Math.sqrt(trials) + 1e-9));
        }
    }
}
