package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.frobenius;
import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.minus;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static dev.concord.tensor.linalg.DenseReference.randomLowRank;
import static dev.concord.tensor.linalg.DenseReference.reconstruct;
import static dev.concord.tensor.linalg.DenseReference.singularValues;
import static dev.concord.tensor.linalg.DenseReference.spectralNorm;
import static dev.concord.tensor.linalg.DenseReference.toDouble;
import static dev.concord.tensor.linalg.DenseReference.toFloat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.tensor.FloatMatrix;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class RandomizedSvdTest {

    @Property(tries = 100)
    void recoversAnExactlyLowRankMatrix(@ForAll @IntRange(min = 4, max = 70) int rows,
                                        @ForAll @IntRange(min = 4, max = 70) int cols,
                                        @ForAll @IntRange(min = 1, max = 6) int rank,
                                        @ForAll @IntRange(min = 0, max = 3) int extraRank,
                                        @ForAll @IntRange(min = 1, max = 30) int blockRows,
                                        @ForAll long seed) {
        LowRank t = randomLowRank(new SplittableRandom(seed), rows, cols, rank);
        DMatrixRMaj a = toDouble(t.toDense()); // exactly the values the stream delivers
        RankTruncation result = RandomizedSvd.ofRank(rank + extraRank, seed).compute(t.rowBlocks(blockRows));

        LowRankSvd svd = result.svd();
        assertThat(svd.rank()).isLessThanOrEqualTo(rank + extraRank);
        assertThat(orthonormalityError(svd.u())).isLessThan(1e-12);
        assertThat(orthonormalityError(svd.v())).isLessThan(1e-12);
        double norm = frobenius(a);
        assertThat(frobeniusOfDifference(reconstruct(svd), a)).isLessThan(1e-5 * norm);
        assertThat(result.totalEnergy()).isCloseTo(norm * norm, offset(1e-12 * norm * norm));
        assertThat(result.retainedEnergy()).isGreaterThan(1 - 1e-10);
        double[] sigma = singularValues(a);
        for (int i = 0; i < Math.min(rank, svd.rank()); i++) {
            assertThat(svd.sigma(i)).isCloseTo(sigma[i], offset(1e-6 * sigma[0]));
        }
    }

    /**
     * Noisy matrices: the result can be no better than Eckart–Young and, with probability ≥ 1 − 10⁻³, is no worse
     * than HMT's bound (Thm 10.6 applied to C^q, C = AᵀA, via Prop. 8.5 and Markov's inequality; see below).
     */
    @Property(tries = 100)
    void approximatesNoisyMatricesWithinTheTheoreticalBound(@ForAll @IntRange(min = 12, max = 60) int rows,
                                                            @ForAll @IntRange(min = 12, max = 60) int cols,
                                                            @ForAll @IntRange(min = 2, max = 8) int targetRank,
                                                            @ForAll @IntRange(min = 1, max = 10) int signalRank,
                                                            @ForAll @IntRange(min = 2, max = 10) int oversampling,
                                                            @ForAll @IntRange(min = 1, max = 3) int powerIterations,
                                                            @ForAll @IntRange(min = -3, max = 0) int noiseExponent,
                                                            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj signal = DenseReference.dense(randomLowRank(random, rows, cols, signalRank));
        DMatrixRMaj noise = gaussian(random, rows, cols);
        CommonOps_DDRM.addEquals(signal, Math.pow(10, noiseExponent), noise);
        FloatMatrix af = toFloat(signal);
        DMatrixRMaj a = toDouble(af);

        RandomizedSvd rsvd = new RandomizedSvd(targetRank, oversampling, powerIterations, seed);
        RankTruncation result = rsvd.compute(RowBlockSource.of(af, 1 + random.nextInt(16)));
        DMatrixRMaj error = minus(a, reconstruct(result.svd()));
        double errorF = frobenius(error);
        double errorSpectral = spectralNorm(error);

        double[] sigma = singularValues(a);
        int r = targetRank;
        double tailF2 = 0;
        for (int j = r; j < sigma.length; j++) {
            tailF2 += sigma[j] * sigma[j];
        }
        double total = frobenius(a) * frobenius(a);
        double slack = 1e-9 * total;
        // The reported residual is the true one.
        assertThat(result.residualEnergy()).isCloseTo(errorF * errorF, offset(slack));
        // Eckart–Young: nothing of rank R does better.
        assertThat(errorF * errorF).isGreaterThanOrEqualTo(tailF2 - slack);
        assertThat(errorSpectral).isGreaterThanOrEqualTo(sigma[r] * (1 - 1e-9));

        int l = rsvd.sketchWidth(rows, cols);
        if (l >= Math.min(rows, cols)) {
            // The sketch spans the whole row space: the result is the exact truncated SVD.
            assertThat(errorF * errorF).isCloseTo(tailF2, offset(slack));
            return;
        }
        int p = l - r;
        assertThat(p).isGreaterThanOrEqualTo(2);
        // HMT Thm 10.6 for the range finder on C^q (singular values σ_j^{2q}):
        //   E‖(I−P)C^q‖ ≤ (1 + √(R/(p−1)))·σ_{R+1}^{2q} + (e√(R+p)/p)·(Σ_{j>R} σ_j^{4q})^{1/2}.
        // Markov: ‖(I−P)C^q‖ ≤ 1000·E with probability ≥ 0.999. Prop. 8.5 (‖QCQ‖^s ≤ ‖QC^sQ‖):
        //   ‖A(I−P)‖ ≤ ‖(I−P)C^q‖^{1/(2q)}. Truncating AP to rank R adds at most σ_{R+1}(A).
        int q = powerIterations;
        double head = Math.pow(sigma[r], 2 * q);
        double tail = 0;
        for (int j = r; j < sigma.length; j++) {
            tail += Math.pow(sigma[j], 4 * q);
        }
        double expected = (1 + Math.sqrt(r / (p - 1.0))) * head + Math.E * Math.sqrt(r + p) / p * Math.sqrt(tail);
        double projectionBound = Math.pow(1000 * expected, 1.0 / (2 * q));
        assertThat(errorSpectral).isLessThanOrEqualTo(projectionBound + sigma[r] + 1e-9 * sigma[0]);
        // Frobenius: ‖A − A_R‖²_F = ‖A(I−P)‖²_F + ‖AP − [AP]_R‖²_F ≤ rank·‖A(I−P)‖² + Σ_{j>R} σ_j².
        assertThat(errorF * errorF).isLessThanOrEqualTo(
                Math.min(rows, cols) * projectionBound * projectionBound + tailF2 + slack);
    }

    @Test
    void isNearlyOptimalOnADecayingSpectrum() {
        // σ_j = 0.8^j: with 2 power iterations the retained energy is within 10⁻⁴ of the best possible.
        SplittableRandom random = new SplittableRandom(11);
        int m = 200;
        int n = 260;
        int k = 50;
        DMatrixRMaj u = CommonOps_DDRM.extract(DenseReference.randomOrthogonal(random, m), 0, m, 0, k);
        DMatrixRMaj v = CommonOps_DDRM.extract(DenseReference.randomOrthogonal(random, n), 0, n, 0, k);
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m; i++) {
                u.set(i, j, u.get(i, j) * Math.pow(0.8, j));
            }
        }
        DMatrixRMaj a = new DMatrixRMaj(m, n);
        CommonOps_DDRM.multTransB(u, v, a);
        FloatMatrix af = toFloat(a);
        double[] sigma = singularValues(toDouble(af));
        int r = 10;
        double total = 0;
        double best = 0;
        for (int j = 0; j < sigma.length; j++) {
            total += sigma[j] * sigma[j];
            if (j < r) {
                best += sigma[j] * sigma[j];
            }
        }
        RankTruncation result = RandomizedSvd.ofRank(r, 5).compute(RowBlockSource.of(af, 64));
        assertThat(result.retainedEnergy()).isBetween(best / total - 1e-4, best / total + 1e-12);
    }

    @Test
    void isDeterministicAndIndependentOfBlockSize() {
        SplittableRandom random = new SplittableRandom(2);
        FloatMatrix af = toFloat(gaussian(random, 90, 70));
        RandomizedSvd rsvd = RandomizedSvd.ofRank(6, 42);
        double[] first = rsvd.compute(RowBlockSource.of(af, 16)).svd().sigma();
        double[] again = rsvd.compute(RowBlockSource.of(af, 16)).svd().sigma();
        double[] otherBlocks = rsvd.compute(RowBlockSource.of(af, 7)).svd().sigma();
        assertThat(again).isEqualTo(first);
        for (int i = 0; i < first.length; i++) {
            assertThat(otherBlocks[i]).isCloseTo(first[i], offset(1e-12 * first[0]));
        }
        double[] otherSeed = RandomizedSvd.ofRank(6, 43).compute(RowBlockSource.of(af, 16)).svd().sigma();
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void zeroMatrixAndZeroRankReportEnergiesWithoutFactors() {
        RankTruncation zero = RandomizedSvd.ofRank(3, 1).compute(RowBlockSource.of(FloatMatrix.zeros(5, 4), 2));
        assertThat(zero.svd().rank()).isZero();
        assertThat(zero.retainedEnergy()).isEqualTo(1.0);
        FloatMatrix ones = new FloatMatrix(2, 2, new float[] {1, 1, 1, 1});
        RankTruncation none = RandomizedSvd.ofRank(0, 1).compute(RowBlockSource.of(ones, 1));
        assertThat(none.svd().rank()).isZero();
        assertThat(none.totalEnergy()).isEqualTo(4.0);
        assertThat(none.retainedEnergy()).isZero();
    }

    @Test
    void rejectsMalformedOrInconsistentSources() {
        RandomizedSvd rsvd = RandomizedSvd.ofRank(2, 1);
        FloatMatrix block = FloatMatrix.zeros(2, 3);
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> {
            c.accept(0, block);
            c.accept(1, block);
        }))).isInstanceOf(InvalidInputException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> c.accept(0, block))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("covered 2 of its 4 rows");
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> c.accept(0, FloatMatrix.zeros(4, 2)))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("columns");
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> c.accept(3, block))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("outside");
        FloatMatrix nan = FloatMatrix.zeros(4, 3);
        nan.set(2, 1, Float.NaN);
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> c.accept(0, nan))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("[2, 1]");
        int[] calls = {0};
        assertThatThrownBy(() -> rsvd.compute(source(4, 3, c -> {
            FloatMatrix m = new FloatMatrix(4, 3, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, calls[0]++});
            c.accept(0, m);
        }))).isInstanceOf(ConcordException.class).hasMessageContaining("different data");
        assertThatThrownBy(() -> new RandomizedSvd(2, 5, 0, 1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new RandomizedSvd(-1, 5, 1, 1)).isInstanceOf(InvalidInputException.class);
    }

    private static RowBlockSource source(int rows, int cols, java.util.function.Consumer<RowBlockSource.BlockConsumer> body) {
        return new RowBlockSource() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public void forEachBlock(BlockConsumer consumer) {
                body.accept(consumer);
            }
        };
    }
}
