package dev.concord.merge.lowrank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ops.MaskRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** knots against a dense brute-force KnOTS (EJML SVD of the dense concatenation, TIES in plain loops). */
class KnotsMethodTest {
    private static final KnotsMethod KNOTS = new KnotsMethod();

    /** How the reference sparsifies one task's coordinates. */
    interface Sparsify {
        void apply(double[] c, int task);
    }

    static Sparsify trim(double density) {
        return (c, task) -> {
            int keep = (int) (density * c.length);
            Integer[] order = IntStream.range(0, c.length).boxed().toArray(Integer[]::new);
            // stable sort: among equal magnitudes the lower index ranks first
            Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -Math.abs(c[j])));
            for (int q = keep; q < order.length; q++) {
                c[order[q]] = 0;
            }
        };
    }

    static Sparsify dare(double density, long seed, int[] adapterOfTask) {
        return (c, task) -> {
            MaskRandom rng = MaskRandom.of(seed, KnotsMethod.STREAM_KNOTS_DARE, Dense.MODULE, adapterOfTask[task]);
            for (int j = 0; j < c.length; j++) {
                c[j] = rng.keep(j, density) ? c[j] / density : 0;
            }
        };
    }

    /**
     * KnOTS on dense matrices: SVD of [τ_1 | … | τ_T], its top p = Σ r_t triplets (signs fixed by Concord's
     * convention, which a tied frequency vote depends on), coordinates C_t = Σ·V_tᵀ,
     * sparsified, TIES sign election (unweighted; total or frequency) and disjoint mean of the weighted agreeing
     * entries, rebuilt as U·merged.
     */
    static DMatrixRMaj reference(List<TaskVector> taus, double[] w, Sparsify sparsify, boolean frequency) {
        int rows = taus.getFirst().rows();
        int cols = taus.getFirst().cols();
        int tasks = taus.size();
        DMatrixRMaj concat = new DMatrixRMaj(rows, tasks * cols);
        int p = 0;
        for (int t = 0; t < tasks; t++) {
            CommonOps_DDRM.insert(Dense.of(taus.get(t)), concat, 0, t * cols);
            p += taus.get(t).rank();
        }
        Dense.Svd svd = Dense.svd(concat);
        // Concord's sign convention: the largest |entry| of each left singular vector is positive
        for (int q = 0; q < p; q++) {
            int arg = 0;
            for (int i = 0; i < rows; i++) {
                if (Math.abs(svd.u().get(i, q)) > Math.abs(svd.u().get(arg, q))) {
                    arg = i;
                }
            }
            if (svd.u().get(arg, q) < 0) {
                for (int i = 0; i < rows; i++) {
                    svd.u().set(i, q, -svd.u().get(i, q));
                }
                for (int j = 0; j < tasks * cols; j++) {
                    svd.vt().set(q, j, -svd.vt().get(q, j));
                }
            }
        }
        double[][] coords = new double[tasks][p * cols];
        for (int t = 0; t < tasks; t++) {
            for (int q = 0; q < p; q++) {
                for (int j = 0; j < cols; j++) {
                    coords[t][q * cols + j] = svd.sigma()[q] * svd.vt().get(q, t * cols + j);
                }
            }
            sparsify.apply(coords[t], t);
        }
        DMatrixRMaj merged = new DMatrixRMaj(p, cols);
        for (int j = 0; j < p * cols; j++) {
            double vote = 0;
            for (int t = 0; t < tasks; t++) {
                vote += frequency ? Math.signum(coords[t][j]) : coords[t][j];
            }
            double sum = 0;
            int agree = 0;
            for (int t = 0; t < tasks; t++) {
                double c = coords[t][j];
                if (vote >= 0 ? c > 0 : c < 0) {
                    sum += w[t] * c;
                    agree++;
                }
            }
            merged.data[j] = sum / Math.max(1, agree);
        }
        DMatrixRMaj out = new DMatrixRMaj(rows, cols);
        CommonOps_DDRM.mult(CommonOps_DDRM.extract(svd.u(), 0, rows, 0, p), merged, out);
        return out;
    }

    private static void assertClose(DMatrixRMaj got, DMatrixRMaj want) {
        assertThat(Dense.maxAbsDiff(got, want)).isLessThanOrEqualTo(2e-5 * Dense.maxAbs(want));
    }

    private static List<TaskVector> threeTasks(long seed) {
        Random r = new Random(seed);
        return List.of(Dense.random(r, 20, 12, 3, 1.5), Dense.random(r, 20, 12, 2, 0.75),
                Dense.random(r, 20, 12, 4, 1.0));
    }

    @Test
    void tiesMatchesTheDenseReference() {
        List<TaskVector> taus = threeTasks(21);
        double[] w = {1.0, -0.6, 1.4};
        ModuleResult res = Dense.merge(KNOTS, Map.of("density", "0.5"), taus, w, 0);
        assertThat(((ModuleResult.LowRank) res).tau().rank()).isEqualTo(9);
        assertClose(Dense.of(res), reference(taus, w, trim(0.5), false));
    }

    @Test
    void tiesWithFrequencyElectionAndTheDefaultDensityMatchTheReference() {
        List<TaskVector> taus = threeTasks(22);
        double[] w = {0.9, 1.1, 0.7};
        DMatrixRMaj got = Dense.of(Dense.merge(KNOTS, Map.of("majority_sign", "frequency"), taus, w, 0));
        assertClose(got, reference(taus, w, trim(0.2), true));
    }

    @Test
    void dareTiesMatchesTheReferenceWithTheSameSeededMasks() {
        List<TaskVector> taus = threeTasks(23);
        double[] w = {1, 1, -0.5};
        DMatrixRMaj got = Dense.of(Dense.merge(KNOTS, Map.of("inner", "dare_ties", "density", "0.4"), taus, w, 42));
        assertClose(got, reference(taus, w, dare(0.4, 42, new int[] {0, 1, 2}), false));
    }

    @Test
    void dareTiesIsSeededAndReproducible() {
        List<TaskVector> taus = threeTasks(24);
        double[] w = {1, 1, 1};
        Map<String, Object> p = Map.of("inner", "dare_ties", "density", "0.3");
        TaskVector a = ((ModuleResult.LowRank) Dense.merge(KNOTS, p, taus, w, 5)).tau();
        TaskVector b = ((ModuleResult.LowRank) Dense.merge(KNOTS, p, taus, w, 5)).tau();
        TaskVector c = ((ModuleResult.LowRank) Dense.merge(KNOTS, p, taus, w, 6)).tau();
        assertThat(a.right().data()).isEqualTo(b.right().data());
        assertThat(a.left().data()).isEqualTo(b.left().data());
        assertThat(a.right().data()).isNotEqualTo(c.right().data());
    }

    @Test
    void aSingleTaskAtFullDensityComesBackUnchanged() {
        TaskVector t = Dense.random(new Random(25), 18, 26, 5, 2.0);
        for (String inner : List.of("ties", "dare_ties")) {
            DMatrixRMaj got = Dense.of(Dense.merge(KNOTS, Map.of("density", "1", "inner", inner), List.of(t),
                    new double[] {1}, 3));
            assertClose(got, Dense.of(t));
        }
    }

    @Test
    void absentAdaptersNeitherVoteNorCount() {
        List<TaskVector> taus = threeTasks(26);
        List<TaskVector> withGap = new ArrayList<>(Arrays.asList(taus.get(0), null, taus.get(1), taus.get(2)));
        double[] w = {1, 3, 0.5, 1};
        DMatrixRMaj got = Dense.of(Dense.merge(KNOTS, Map.of("density", "0.6"), withGap, w, 0));
        assertClose(got, reference(taus, new double[] {1, 0.5, 1}, trim(0.6), false));
    }

    @Test
    void lambdaScalesTheRebuiltUpdate() {
        List<TaskVector> taus = threeTasks(27);
        double[] w = {1, 1, 1};
        DMatrixRMaj one = Dense.of(Dense.merge(KNOTS, Map.of(), taus, w, 0));
        DMatrixRMaj twice = Dense.of(Dense.merge(KNOTS, Map.of("lambda", "2"), taus, w, 0));
        CommonOps_DDRM.scale(2, one);
        assertClose(twice, one);
    }
}
