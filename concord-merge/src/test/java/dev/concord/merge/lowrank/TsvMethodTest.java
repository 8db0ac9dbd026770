package dev.concord.merge.lowrank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.ModuleResult;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** tsv against a dense brute-force TSV-M (EJML SVDs of the dense task vectors), and its defining properties. */
class TsvMethodTest {
    private static final TsvMethod TSV = new TsvMethod();

    /**
     * TSV-M as the paper's code computes it, on dense matrices: SVD of each w_i·τ_i, top k_i triplets, stacked,
     * U and V replaced by U_u·V_uᵀ of their own SVDs, rebuilt.
     */
    static DMatrixRMaj reference(List<TaskVector> taus, double[] w, int[] keep) {
        int rows = taus.getFirst().rows();
        int cols = taus.getFirst().cols();
        int total = Arrays.stream(keep).sum();
        DMatrixRMaj u = new DMatrixRMaj(rows, total);
        DMatrixRMaj vt = new DMatrixRMaj(total, cols);
        DMatrixRMaj s = new DMatrixRMaj(total, total);
        int at = 0;
        for (int t = 0; t < taus.size(); t++) {
            DMatrixRMaj d = Dense.of(taus.get(t));
            CommonOps_DDRM.scale(w[t], d);
            Dense.Svd svd = Dense.svd(d);
            CommonOps_DDRM.insert(CommonOps_DDRM.extract(svd.u(), 0, rows, 0, keep[t]), u, 0, at);
            CommonOps_DDRM.insert(CommonOps_DDRM.extract(svd.vt(), 0, keep[t], 0, cols), vt, at, 0);
            for (int p = 0; p < keep[t]; p++) {
                s.set(at + p, at + p, svd.sigma()[p]);
            }
            at += keep[t];
        }
        DMatrixRMaj us = new DMatrixRMaj(rows, total);
        CommonOps_DDRM.mult(Dense.polar(u), s, us);
        DMatrixRMaj out = new DMatrixRMaj(rows, cols);
        CommonOps_DDRM.mult(us, Dense.polar(vt), out);
        return out;
    }

    private static void assertClose(DMatrixRMaj got, DMatrixRMaj want) {
        assertThat(Dense.maxAbsDiff(got, want)).isLessThanOrEqualTo(2e-5 * Dense.maxAbs(want));
    }

    @Test
    void matchesTheDenseReferenceForMixedRanksScalesAndWeights() {
        Random r = new Random(11);
        List<TaskVector> taus = List.of(Dense.random(r, 24, 18, 3, 2.0), Dense.random(r, 24, 18, 5, 0.5),
                Dense.random(r, 24, 18, 2, 1.25));
        double[] w = {1.0, -0.7, 1.6};
        ModuleResult res = Dense.merge(TSV, Map.of(), taus, w, 0);
        // share = ⌊18 / 3⌋ = 6 ≥ every rank: each task keeps all its triplets
        assertThat(((ModuleResult.LowRank) res).tau().rank()).isEqualTo(10);
        assertClose(Dense.of(res), reference(taus, w, new int[] {3, 5, 2}));
    }

    @Test
    void keepsThePapersShareOfTheDimensionWhenTheStackWouldNotFit() {
        Random r = new Random(12);
        List<TaskVector> taus = List.of(Dense.random(r, 10, 8, 4, 1), Dense.random(r, 10, 8, 4, 1),
                Dense.random(r, 10, 8, 4, 1));
        double[] w = {1, 1, 1};
        ModuleResult res = Dense.merge(TSV, Map.of(), taus, w, 0);
        // ⌊min(10, 8) / 3⌋ = 2 triplets per task, as the official code's sv_reduction = 1 / T
        assertThat(((ModuleResult.LowRank) res).tau().rank()).isEqualTo(6);
        assertClose(Dense.of(res), reference(taus, w, new int[] {2, 2, 2}));
    }

    @Test
    void tsvKeepCapsEveryTask() {
        Random r = new Random(13);
        List<TaskVector> taus = List.of(Dense.random(r, 20, 16, 4, 1), Dense.random(r, 20, 16, 3, 1));
        double[] w = {0.8, 1.3};
        ModuleResult res = Dense.merge(TSV, Map.of("tsv_keep", "2"), taus, w, 0);
        assertThat(((ModuleResult.LowRank) res).tau().rank()).isEqualTo(4);
        assertClose(Dense.of(res), reference(taus, w, new int[] {2, 2}));
    }

    @Test
    void aSingleTaskComesBackUnchanged() {
        TaskVector t = Dense.random(new Random(14), 30, 22, 6, 1.5);
        DMatrixRMaj got = Dense.of(Dense.merge(TSV, Map.of(), List.of(t), new double[] {1}, 0));
        assertClose(got, Dense.of(t));
    }

    @Test
    void anAdapterMergedWithItselfComesBack() {
        // U = [U_1 U_1] spans every direction twice: the polar factor on its range, (1/√2)[U_1 U_1], halves each
        // copy, so the merge is the mean of the two copies (a full-rank polar factor would need an arbitrary
        // completion here)
        TaskVector t = Dense.random(new Random(18), 14, 12, 3, 1.0);
        DMatrixRMaj got = Dense.of(Dense.merge(TSV, Map.of(), List.of(t, t), new double[] {1, 1}, 0));
        assertClose(got, Dense.of(t));
    }

    @Test
    void tasksWithOrthogonalSingularVectorsAddUp() {
        // task 1 lives in rows 0-5 and columns 0-4, task 2 in rows 6-11 and columns 5-9: U_1 ⟂ U_2 and V_1 ⟂ V_2, so
        // the stacked vectors are already orthonormal and TSV-M is the plain sum
        Random r = new Random(15);
        TaskVector t1 = embedded(r, 12, 10, 0, 0, 6, 5, 3);
        TaskVector t2 = embedded(r, 12, 10, 6, 5, 6, 5, 2);
        double[] w = {1.0, -2.0};
        DMatrixRMaj got = Dense.of(Dense.merge(TSV, Map.of(), List.of(t1, t2), w, 0));
        assertClose(got, Dense.weightedSum(List.of(t1, t2), w));
    }

    @Test
    void absentAdaptersAndZeroWeightsContributeNothing() {
        Random r = new Random(16);
        TaskVector t1 = Dense.random(r, 14, 12, 3, 1);
        TaskVector t2 = Dense.random(r, 14, 12, 2, 1);
        TaskVector t3 = Dense.random(r, 14, 12, 4, 1);
        List<TaskVector> withGaps = new ArrayList<>(Arrays.asList(t1, null, t2, t3));
        DMatrixRMaj got = Dense.of(Dense.merge(TSV, Map.of(), withGaps, new double[] {1, 7, 1, 0}, 0));
        // two tasks present with non-zero weight: share ⌊12 / 2⌋ = 6, so everything is kept
        assertClose(got, reference(List.of(t1, t2), new double[] {1, 1}, new int[] {3, 2}));
    }

    @Test
    void lambdaScalesAndTaskOrderDoesNotMatter() {
        Random r = new Random(17);
        List<TaskVector> taus = List.of(Dense.random(r, 16, 14, 3, 1), Dense.random(r, 16, 14, 4, 1),
                Dense.random(r, 16, 14, 2, 1));
        double[] w = {1, 0.5, 2};
        DMatrixRMaj base = Dense.of(Dense.merge(TSV, Map.of(), taus, w, 0));
        DMatrixRMaj half = Dense.of(Dense.merge(TSV, Map.of("lambda", "0.5"), taus, w, 0));
        DMatrixRMaj scaled = base.copy();
        CommonOps_DDRM.scale(0.5, scaled);
        assertClose(half, scaled);
        DMatrixRMaj reversed = Dense.of(Dense.merge(TSV, Map.of(),
                List.of(taus.get(2), taus.get(1), taus.get(0)), new double[] {2, 0.5, 1}, 0));
        assertClose(reversed, base);
    }

    @Test
    void zeroInputsGiveARankOneZero() {
        TaskVector zero = TaskVector.of(1, FloatMatrix.zeros(6, 2), FloatMatrix.zeros(2, 5));
        ModuleResult res = Dense.merge(TSV, Map.of(), List.of(zero), new double[] {1}, 0);
        TaskVector t = ((ModuleResult.LowRank) res).tau();
        assertThat(t.rank()).isEqualTo(1);
        assertThat(Dense.maxAbs(Dense.of(t))).isZero();
    }

    /** A random rank-r update supported on rows [r0, r0 + nr) and columns [c0, c0 + nc) of a rows×cols matrix. */
    static TaskVector embedded(Random r, int rows, int cols, int r0, int c0, int nr, int nc, int rank) {
        float[] b = new float[rows * rank];
        float[] a = new float[rank * cols];
        for (int i = r0; i < r0 + nr; i++) {
            for (int p = 0; p < rank; p++) {
                b[i * rank + p] = (float) r.nextGaussian();
            }
        }
        for (int p = 0; p < rank; p++) {
            for (int j = c0; j < c0 + nc; j++) {
                a[p * cols + j] = (float) r.nextGaussian();
            }
        }
        return TaskVector.of(1, new FloatMatrix(rows, rank, b), new FloatMatrix(rank, cols, a));
    }
}
