package dev.concord.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.adapter.TaskVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** The properties the issue lists, on random task vectors of random shapes, ranks and weights. */
class MergePropertiesTest {

    private static List<TaskVector> taus(Random r, int n, int rows, int cols) {
        List<TaskVector> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add(TestMerges.random(r, rows, cols, 1 + r.nextInt(6), 0.5 + r.nextDouble()));
        }
        return t;
    }

    private static double[] weights(Random r, int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextDouble() * 4 - 2;
        }
        return w;
    }

    @Property(tries = 40)
    void linearIsExactAndPermutationInvariant(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int n,
            @ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 1, max = 40) int cols) {
        Random r = new Random(seed);
        List<TaskVector> t = taus(r, n, rows, cols);
        double[] w = weights(r, n);
        float[] merged = TestMerges.merge("linear", Map.of(), t, w, 0);
        double[] exact = TestMerges.weightedSum(t, w);
        double tol = 1e-5 * (1 + TestMerges.maxAbs(exact));
        for (int j = 0; j < exact.length; j++) {
            assertThat((double) merged[j]).isCloseTo(exact[j], within(tol));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, r);
        List<TaskVector> pt = new ArrayList<>();
        double[] pw = new double[n];
        for (int i = 0; i < n; i++) {
            pt.add(t.get(order.get(i)));
            pw[i] = w[order.get(i)];
        }
        float[] permuted = TestMerges.merge("linear", Map.of(), pt, pw, 0);
        for (int j = 0; j < exact.length; j++) {
            assertThat((double) permuted[j]).isCloseTo(merged[j], within(tol));
        }
    }

    @Property(tries = 30)
    void tauMinusTauIsExactlyZero(@ForAll long seed, @ForAll @DoubleRange(min = -3, max = 3) double w) {
        Random r = new Random(seed);
        TaskVector t = TestMerges.random(r, 17, 23, 4, 1.7);
        float[] merged = TestMerges.merge("linear", Map.of(), List.of(t, t), new double[] {w, -w}, 0);
        for (float v : merged) {
            assertThat(v).isZero();
        }
    }

    @Property(tries = 30)
    void tiesWithDensityOneAndAgreeingSignsIsTheMean(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int n) {
        Random r = new Random(seed);
        TaskVector base = TestMerges.random(r, 13, 19, 3, 1.0);
        float[] b = base.dense().data();
        List<TaskVector> t = new ArrayList<>();
        double[] mean = new double[b.length];
        for (int i = 0; i < n; i++) {
            double c = 0.2 + r.nextDouble();
            t.add(base.scaled(c));
            for (int j = 0; j < b.length; j++) {
                mean[j] += c * b[j] / n;
            }
        }
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0);
        for (String election : List.of("total", "frequency")) {
            float[] merged = TestMerges.merge("ties", Map.of("density", "1", "majority_sign", election), t, w, 0);
            for (int j = 0; j < b.length; j++) {
                assertThat((double) merged[j]).isCloseTo(mean[j], within(1e-5 * (1 + Math.abs(mean[j]))));
            }
        }
    }

    @Property(tries = 25)
    void adapterFactorsReproduceTheDeltaWithinTheReportedEnergy(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 12) int rank, @ForAll boolean dense) {
        Random r = new Random(seed);
        List<TaskVector> t = taus(r, 3, 20 + r.nextInt(30), 20 + r.nextInt(30));
        double[] w = weights(r, 3);
        ModuleResult result = MethodRegistry.get(dense ? "ties" : "linear")
                .merge(TestMerges.inputs(dense ? "ties" : "linear", Map.of(), t, w, seed));
        float[] delta = TestMerges.dense(result);
        dev.concord.merge.output.RankReduction red = switch (result) {
            case ModuleResult.LowRank lr -> dev.concord.merge.output.RankReduction.ofLowRank(lr.tau(), rank);
            case ModuleResult.Dense d -> dev.concord.merge.output.RankReduction.ofDense(d.source(), rank, seed);
        };
        assertThat(red.rank()).isLessThanOrEqualTo(Math.max(rank, 1));
        float[] approx = red.tau().dense().data();
        double total = 0;
        double residual = 0;
        for (int j = 0; j < delta.length; j++) {
            total += (double) delta[j] * delta[j];
            residual += (double) (delta[j] - approx[j]) * (delta[j] - approx[j]);
        }
        assertThat(red.retainedEnergy()).isBetween(0.0, 1.0 + 1e-12);
        assertThat(1 - residual / total).isCloseTo(red.retainedEnergy(), within(1e-4));
    }

    @Property(tries = 6)
    void dareKeepsTheExpectation(@ForAll long seed, @ForAll @DoubleRange(min = 0.2, max = 0.9) double density) {
        Random r = new Random(seed);
        List<TaskVector> t = taus(r, 2, 6, 7);
        double[] w = weights(r, 2);
        double[] exact = TestMerges.weightedSum(t, w);
        int trials = 3000;
        double[] mean = new double[exact.length];
        for (int s = 0; s < trials; s++) {
            float[] m = TestMerges.merge("dare_linear", Map.of("density", density), t, w, s);
            for (int j = 0; j < m.length; j++) {
                mean[j] += m[j] / (double) trials;
            }
        }
        // each merged entry is a sum of two independent draws x·Bernoulli(p)/p: variance Σ x²(1 − p)/p
        double[] xs0 = TestMerges.weightedSum(List.of(t.get(0)), new double[] {w[0]});
        double[] xs1 = TestMerges.weightedSum(List.of(t.get(1)), new double[] {w[1]});
        for (int j = 0; j < exact.length; j++) {
            double sd = Math.sqrt((xs0[j] * xs0[j] + xs1[j] * xs1[j]) * (1 - density) / density / trials);
            assertThat(mean[j]).isCloseTo(exact[j], within(5 * sd + 1e-6));
        }
    }
}
