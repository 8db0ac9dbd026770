package dev.concord.merge.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.tensor.FloatMatrix;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** lora_lego: the exact cases (no merging, self-merges), planted clusters, and the two re-weighting formulas. */
class LoraLegoMethodTest {
    private static final LoraLegoMethod LEGO = new LoraLegoMethod();

    private static void assertClose(DMatrixRMaj got, DMatrixRMaj want, double relative) {
        assertThat(Dense.maxAbsDiff(got, want)).isLessThanOrEqualTo(relative * Dense.maxAbs(want));
    }

    private static TaskVector factors(ModuleResult r) {
        return ((ModuleResult.LowRank) r).tau();
    }

    private static List<TaskVector> mixedRanks(long seed) {
        Random r = new Random(seed);
        return List.of(Dense.random(r, 14, 11, 2, 2.0), Dense.random(r, 14, 11, 3, 0.5),
                Dense.random(r, 14, 11, 4, 1.0));
    }

    @Test
    void withAClusterPerUnitAndNoReweightingTheUnitsAddUpToTheWeightedSum() {
        List<TaskVector> taus = mixedRanks(31);
        double[] w = {1.0, -0.5, 2.0};
        for (String k : List.of("9", "40")) {
            ModuleResult res = Dense.merge(LEGO, Map.of("rank", k, "reweight", "none"), taus, w, 0);
            assertThat(factors(res).rank()).isEqualTo(9);
            assertClose(Dense.of(res), Dense.weightedSum(taus, w), 1e-5);
        }
    }

    @Test
    void withAClusterPerUnitOutputReweightingLeavesOneAverageAdaptersEnergy() {
        // k = n: parameter re-weighting changes nothing (one member per cluster) and the output factor is
        // γ = sqrt((Σσ² / T) / Σσ²) = 1/sqrt(T)
        List<TaskVector> taus = mixedRanks(32);
        double[] w = {1.0, 1.5, -1.0};
        DMatrixRMaj want = Dense.weightedSum(taus, w);
        CommonOps_DDRM.scale(1 / Math.sqrt(3), want);
        for (String reweight : List.of("output", "dual")) {
            DMatrixRMaj got = Dense.of(Dense.merge(LEGO, Map.of("rank", "9", "reweight", reweight), taus, w, 0));
            assertClose(got, want, 1e-5);
        }
    }

    @Test
    void mergingAnAdapterWithItselfInAnotherGaugeGivesItBack() {
        // the same update stored as (B, A) and as (−2B, −A/2): units equal only up to gauge and sign
        Random r = new Random(33);
        TaskVector t = Dense.random(r, 16, 12, 4, 1.5);
        float[] b = t.left().data().clone();
        float[] a = t.right().data().clone();
        for (int i = 0; i < b.length; i++) {
            b[i] *= -2f;
        }
        for (int i = 0; i < a.length; i++) {
            a[i] *= -0.5f;
        }
        TaskVector twin = TaskVector.of(t.scale(), new FloatMatrix(16, 4, b), new FloatMatrix(4, 12, a));
        ModuleResult res = Dense.merge(LEGO, Map.of(), List.of(t, twin), new double[] {1, 1}, 9);
        assertThat(factors(res).rank()).isEqualTo(4); // default k: the largest input rank
        assertClose(Dense.of(res), Dense.of(t), 1e-5);
    }

    @Test
    void recoversPlantedClustersAcrossAdaptersWhateverTheirOrderSignAndGauge() {
        // four prototype units; three adapters each hold a noisy copy of all four, shuffled, with random signs
        // and gauges; k = 4 must group the copies, so the merge (plain means) is the sum of the prototypes
        Random r = new Random(34);
        int rows = 20;
        int cols = 15;
        int k = 4;
        double[][] pb = new double[k][rows];
        double[][] pa = new double[k][cols];
        DMatrixRMaj want = new DMatrixRMaj(rows, cols);
        for (int p = 0; p < k; p++) {
            for (int i = 0; i < rows; i++) {
                pb[p][i] = r.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                pa[p][j] = r.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    want.add(i, j, pb[p][i] * pa[p][j]);
                }
            }
        }
        List<TaskVector> taus = new java.util.ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int[] order = {0, 1, 2, 3};
            for (int i = k - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
            float[] b = new float[rows * k];
            float[] a = new float[k * cols];
            for (int slot = 0; slot < k; slot++) {
                int p = order[slot];
                double g = (r.nextBoolean() ? 1 : -1) * Math.exp(r.nextGaussian());
                for (int i = 0; i < rows; i++) {
                    b[i * k + slot] = (float) (g * pb[p][i] + 1e-3 * r.nextGaussian());
                }
                for (int j = 0; j < cols; j++) {
                    a[slot * cols + j] = (float) (pa[p][j] / g + 1e-3 * r.nextGaussian());
                }
            }
            taus.add(TaskVector.of(1.0, new FloatMatrix(rows, k, b), new FloatMatrix(k, cols, a)));
        }
        DMatrixRMaj got = Dense.of(Dense.merge(LEGO, Map.of("reweight", "none"), taus, new double[] {1, 1, 1}, 3));
        assertClose(got, want, 5e-3);
    }

    @Test
    void parameterReweightingGivesEachCentroidItsMembersMeanNorm() {
        List<TaskVector> taus = mixedRanks(35);
        double[] w = {1, 1, 1};
        SemanticUnits units = SemanticUnits.of(taus, w, 14, 11, Dense.MODULE);
        MaskRandom rng = MaskRandom.of(4, LoraLegoMethod.STREAM_LEGO, Dense.MODULE, 0);
        SignInvariantKMeans.Clustering c = SignInvariantKMeans.run(units.gram(), 3, rng);
        LegoMerge.Factors f = LegoMerge.merge(units, 3, Reweighting.PARAMETER, rng);
        assertThat(f.left().cols()).isEqualTo(3);
        for (int j = 0; j < 3; j++) {
            double rootSum = 0;
            int size = 0;
            for (int m = 0; m < units.count(); m++) {
                if (c.cluster()[m] == j) {
                    size++;
                    // √σ_m from the raw factors: σ = |w·s|·‖b‖·‖a‖
                    rootSum += Math.sqrt(rawUnitNorm(taus, m));
                }
            }
            assertThat(size).isPositive();
            double rho = rootSum / size;
            assertThat(columnNorm(f.left(), j)).isCloseTo(rho, within(1e-5 * rho));
            assertThat(rowNorm(f.right(), j)).isCloseTo(rho, within(1e-5 * rho));
        }
    }

    @Test
    void outputReweightingGivesTheEnergyOfOneAverageAdapter() {
        List<TaskVector> taus = mixedRanks(36);
        double[] w = {0.5, 2, -1};
        TaskVector f = factors(Dense.merge(LEGO, Map.of("rank", "4"), taus, w, 8));
        double target = 0;
        for (int m = 0; m < 9; m++) {
            double s = rawUnitNorm(taus, m) * Math.abs(w[adapterOf(m)]);
            target += s * s;
        }
        target /= 3;
        double have = 0;
        for (int j = 0; j < f.rank(); j++) {
            double e = columnNorm(f.left(), j) * rowNorm(f.right(), j);
            have += e * e;
        }
        assertThat(have).isCloseTo(target, within(1e-5 * target));
    }

    @Test
    void isSeededReproducibleAndHomogeneousInTheWeights() {
        List<TaskVector> taus = mixedRanks(37);
        double[] w = {1, 0.75, -1.25};
        Map<String, Object> p = Map.of("rank", "3");
        TaskVector a = factors(Dense.merge(LEGO, p, taus, w, 17));
        TaskVector b = factors(Dense.merge(LEGO, p, taus, w, 17));
        assertThat(a.left().data()).isEqualTo(b.left().data());
        assertThat(a.right().data()).isEqualTo(b.right().data());
        // ×4 on every weight is ×2 on every balanced factor, exactly: the same clustering, a result ×4
        DMatrixRMaj four = Dense.of(Dense.merge(LEGO, p, taus, new double[] {4, 3, -5}, 17));
        DMatrixRMaj one = Dense.of(a);
        CommonOps_DDRM.scale(4, one);
        assertClose(four, one, 1e-6);
    }

    @Test
    void unitsAndTheirNegationsClusterTogether() {
        double[][] x = {{1, 0, 0}, {-1, 0, 0}, {0, 2, 1}, {0, -2, -1}, {0.9, 0.1, 0}};
        double[][] g = new double[5][5];
        for (int m = 0; m < 5; m++) {
            for (int q = 0; q < 5; q++) {
                g[m][q] = SemanticUnits.dot(x[m], x[q]);
            }
        }
        SignInvariantKMeans.Clustering c = SignInvariantKMeans.run(g, 2, MaskRandom.of(1, 2, "m", 0));
        int[] cl = c.cluster();
        assertThat(cl[1]).isEqualTo(cl[0]);
        assertThat(cl[4]).isEqualTo(cl[0]);
        assertThat(cl[3]).isEqualTo(cl[2]).isNotEqualTo(cl[0]);
        assertThat(c.sign()[1]).isEqualTo(-c.sign()[0]);
        assertThat(c.sign()[3]).isEqualTo(-c.sign()[2]);
    }

    /** Which adapter of {@link #mixedRanks} (ranks 2, 3, 4) unit m comes from. */
    private static int adapterOf(int m) {
        return m < 2 ? 0 : m < 5 ? 1 : 2;
    }

    /** |s|·‖b‖·‖a‖ of unit m of {@link #mixedRanks}, from the raw factors (weight not applied). */
    private static double rawUnitNorm(List<TaskVector> taus, int m) {
        int t = adapterOf(m);
        int j = m - new int[] {0, 2, 5}[t];
        TaskVector tau = taus.get(t);
        return Math.abs(tau.scale()) * columnNorm(tau.left(), j) * rowNorm(tau.right(), j);
    }

    private static double columnNorm(FloatMatrix m, int j) {
        double s = 0;
        for (int i = 0; i < m.rows(); i++) {
            s += (double) m.get(i, j) * m.get(i, j);
        }
        return Math.sqrt(s);
    }

    private static double rowNorm(FloatMatrix m, int j) {
        double s = 0;
        for (int i = 0; i < m.cols(); i++) {
            s += (double) m.get(j, i) * m.get(j, i);
        }
        return Math.sqrt(s);
    }
}
