package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.adapter.LoraAdapter;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The properties the issue names, over random adapters of random rank. */
class MetricPropertiesTest {

    private static AnalysisReport analyse(List<Map<String, FloatMatrix[]>> factors, List<String> names) throws IOException {
        Path dir = Files.createTempDirectory("concord-analysis-prop");
        List<LoraAdapter> open = new ArrayList<>();
        try {
            List<NamedAdapter> named = new ArrayList<>();
            for (int i = 0; i < factors.size(); i++) {
                LoraAdapter a = TestAdapters.write(dir.resolve("a" + i), factors.get(i), 2 * factors.get(i)
                        .values().iterator().next()[0].rows());
                open.add(a);
                named.add(new NamedAdapter(names.get(i), a));
            }
            return ConflictAnalyzer.analyze(named, AnalysisOptions.defaults(), Progress.none());
        } finally {
            open.forEach(LoraAdapter::close);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property(tries = 8)
    void anAdapterWithItselfHasCosineOneAndFullOverlap(@ForAll @LongRange(min = 1, max = 1000) long seed,
            @ForAll @IntRange(min = 1, max = 6) int rank) throws IOException {
        Map<String, FloatMatrix[]> a = TestAdapters.random(seed, rank, 0.3);
        PairReport p = analyse(List.of(a, a), List.of("x", "y")).pairs().getFirst();
        assertThat(p.cosine()).isCloseTo(1.0, within(1e-9));
        assertThat(p.subspaceOverlap()).isCloseTo(1.0, within(1e-9));
        assertThat(p.subspaceOverlapRow()).isCloseTo(1.0, within(1e-9));
        assertThat(p.signConflictRate()).isZero();
        assertThat(p.tiesDiscardedMass()).isZero();
        // the dominant subspace holds at least 95% of the energy by definition, all of it only at full rank
        assertThat(p.subspaceAlignment()).isBetween(Math.sqrt(TaskBasis.ALIGNMENT_ENERGY) - 1e-12, 1.0 + 1e-12);
    }

    @Property(tries = 8)
    void anAdapterWithItsNegationHasCosineMinusOneAndOnlyConflicts(@ForAll @LongRange(min = 1, max = 1000) long seed,
            @ForAll @IntRange(min = 1, max = 6) int rank) throws IOException {
        Map<String, FloatMatrix[]> a = TestAdapters.random(seed, rank, 0.3);
        AnalysisReport r = analyse(List.of(a, TestAdapters.negated(a)), List.of("x", "minus-x"));
        PairReport p = r.pairs().getFirst();
        assertThat(p.cosine()).isCloseTo(-1.0, within(1e-9));
        assertThat(p.signConflictRate()).isEqualTo(1.0);
        assertThat(p.signConflictWeighted()).isEqualTo(1.0);
        assertThat(p.subspaceOverlap()).isCloseTo(1.0, within(1e-9));
        assertThat(r.composition().verdict()).isEqualTo("conflict");
        assertThat(r.composition().recommendation().action()).isEqualTo(Recommendation.SERVE_SEPARATELY);
    }

    @Property(tries = 8)
    void overlapIsSymmetricAndWithinZeroAndOne(@ForAll @LongRange(min = 1, max = 1000) long seed,
            @ForAll @IntRange(min = 1, max = 6) int ra, @ForAll @IntRange(min = 1, max = 6) int rb) throws IOException {
        Map<String, FloatMatrix[]> a = TestAdapters.random(seed, ra, 0.3);
        Map<String, FloatMatrix[]> b = TestAdapters.random(seed + 7919, rb, 0.3);
        PairReport ab = analyse(List.of(a, b), List.of("a", "b")).pairs().getFirst();
        PairReport ba = analyse(List.of(b, a), List.of("b", "a")).pairs().getFirst();
        for (double v : new double[] {ab.subspaceOverlap(), ab.subspaceOverlapRow()}) {
            assertThat(v).isBetween(0.0, 1.0);
        }
        assertThat(ba.subspaceOverlap()).isCloseTo(ab.subspaceOverlap(), within(1e-12));
        assertThat(ba.subspaceOverlapRow()).isCloseTo(ab.subspaceOverlapRow(), within(1e-12));
        assertThat(ba.cosine()).isCloseTo(ab.cosine(), within(1e-12));
        assertThat(ba.signConflictRate()).isEqualTo(ab.signConflictRate());
        assertThat(ba.tsvInterference()).isCloseTo(ab.tsvInterference(), within(1e-9 * ab.tsvInterference()));
        assertThat(ba.alignmentAInB()).isCloseTo(ab.alignmentBInA(), within(1e-12));
    }

    @Property(tries = 8)
    void metricsAreInvariantUnderTheLoraGauge(@ForAll @LongRange(min = 1, max = 1000) long seed,
            @ForAll @IntRange(min = 2, max = 6) int rank) throws IOException {
        Map<String, FloatMatrix[]> a = TestAdapters.random(seed, rank, 0.3);
        Map<String, FloatMatrix[]> b = TestAdapters.random(seed + 1, rank, 0.3);
        PairReport plain = analyse(List.of(a, b), List.of("a", "b")).pairs().getFirst();
        PairReport gauged = analyse(List.of(TestAdapters.gauged(a, seed), TestAdapters.gauged(b, seed + 3)),
                List.of("a", "b")).pairs().getFirst();
        // factors are stored in float32, so the gauge is exact only up to float rounding of the factors
        assertThat(gauged.cosine()).isCloseTo(plain.cosine(), within(1e-5));
        assertThat(gauged.subspaceOverlap()).isCloseTo(plain.subspaceOverlap(), within(1e-5));
        assertThat(gauged.subspaceOverlapRow()).isCloseTo(plain.subspaceOverlapRow(), within(1e-5));
        assertThat(gauged.subspaceAlignment()).isCloseTo(plain.subspaceAlignment(), within(1e-5));
        assertThat(gauged.tsvInterference()).isCloseTo(plain.tsvInterference(), within(1e-4 * plain.tsvInterference()));
        // element-wise: rounding can move an entry across the trim boundary only where two magnitudes nearly tie
        assertThat(gauged.signConflictRate()).isCloseTo(plain.signConflictRate(), within(0.02));
    }
}
