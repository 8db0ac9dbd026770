package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DepthAndRiskTest {
    @Test
    void cliffIsAStepOutOfProportion() {
        // gentle steps, then a large one at depth 4
        assertThat(DepthGuard.cliff(new double[] {1, 1, 0.97, 0.94, 0.70, 0.67}, 5)).isEqualTo(4);
        // steady decline of the same size: no cliff
        assertThat(DepthGuard.cliff(new double[] {1, 1, 0.9, 0.8, 0.7, 0.6}, 5)).isEqualTo(-1);
        // a large first step is a cliff on its own
        assertThat(DepthGuard.cliff(new double[] {1, 1, 0.8}, 2)).isEqualTo(2);
    }

    @Test
    void depthCurveFollowsTheGram() {
        double[][] gram = {{1, 0.5, 0}, {0.5, 1, -0.2}, {0, -0.2, 1}};
        double[] w = {1, 1, 1};
        double[][] ties = {{0.6, 0, 0}, {0.55, 0.5, 0}, {0.5, 0.45, 0.4}};
        CompositionReport.DepthReport d = DepthGuard.evaluate(List.of("a", "b", "c"), w, gram, ties,
                new double[] {0.6, 0.6, 0.6});
        assertThat(d.curve()).hasSize(3);
        assertThat(d.curve().get(0).linearMean()).isCloseTo(1.0, within(1e-12));
        // depth 2: a keeps 1 + 0.5, b keeps 1 + 0.5
        assertThat(d.curve().get(1).linearMean()).isCloseTo(1.5, within(1e-12));
        // depth 3: a 1.5, b 1.3, c 0.8
        assertThat(d.curve().get(2).linearMin()).isCloseTo(0.8, within(1e-12));
        assertThat(d.curve().get(2).tiesMean()).isCloseTo(0.45, within(1e-12));
        assertThat(d.warnings()).noneMatch(s -> s.contains("adapters in one merge"));
    }

    @Test
    void riskGrowsWithEveryFeatureAndMapsToVerdicts() {
        RiskModel m = RiskModel.DEFAULT;
        RiskFeatures base = new RiskFeatures(2, 0, 0, 0, 0, 0);
        double r0 = m.score(base);
        assertThat(m.verdict(r0)).isEqualTo(Verdict.COMPATIBLE);
        assertThat(m.score(new RiskFeatures(2, 0.5, 0, 0, 0, 0))).isGreaterThan(r0);
        assertThat(m.score(new RiskFeatures(2, 0, 0.5, 0, 0, 0))).isGreaterThan(r0);
        assertThat(m.score(new RiskFeatures(2, 0, 0, 0.5, 0, 0))).isGreaterThan(r0);
        assertThat(m.score(new RiskFeatures(2, 0, 0, 0, 0.5, 0))).isGreaterThan(r0);
        assertThat(m.score(new RiskFeatures(5, 0, 0, 0, 0, 2))).isGreaterThan(r0);
        assertThat(m.verdict(m.score(new RiskFeatures(2, 0, 1, 1, 1, 0)))).isEqualTo(Verdict.CONFLICT);
        assertThat(m.verdict(0.3)).isEqualTo(Verdict.CAUTION);
    }

    @Test
    void bestScaleCentresTheRetentions() {
        double c = Recommender.bestScale(new double[] {1.6, 2.4}, new double[] {1, 1});
        assertThat(c).isCloseTo(0.5, within(1e-12));
        assertThat(Recommender.gap(new double[] {0.8, 1.2}, new double[] {1, 1})).isCloseTo(0.2, within(1e-12));
        assertThat(Recommender.bestScale(new double[] {-0.5, 1}, new double[] {1, 1})).isEqualTo(1);
    }
}
