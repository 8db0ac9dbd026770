package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.dense;
import static dev.concord.tensor.linalg.DenseReference.frobenius;
import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static dev.concord.tensor.linalg.DenseReference.randomLowRank;
import static dev.concord.tensor.linalg.DenseReference.randomOrthogonal;
import static dev.concord.tensor.linalg.DenseReference.reconstruct;
import static dev.concord.tensor.linalg.DenseReference.singularValues;
import static dev.concord.tensor.linalg.DenseReference.toDouble;
import static dev.concord.tensor.linalg.DenseReference.transpose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.FloatMatrix;

import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class LowRankTest {

    @Property(tries = 150)
    void svdReconstructsAndMatchesTheDenseSpectrum(@ForAll @IntRange(min = 1, max = 14) int rows,
                                                   @ForAll @IntRange(min = 1, max = 14) int cols,
                                                   @ForAll @IntRange(min = 1, max = 9) int rank,
                                                   @ForAll long seed) {
        LowRank t = randomLowRank(new SplittableRandom(seed), rows, cols, rank);
        DMatrixRMaj d = dense(t);
        LowRankSvd svd = t.svd();
        int trueRank = Math.min(rank, Math.min(rows, cols));
        assertThat(svd.rank()).isEqualTo(trueRank);
        assertThat(orthonormalityError(svd.u())).isLessThan(1e-12);
        assertThat(orthonormalityError(svd.v())).isLessThan(1e-12);
        assertThat(frobeniusOfDifference(reconstruct(svd), d)).isLessThan(1e-12 * frobenius(d));

        double[] expected = singularValues(d);
        for (int i = 0; i < expected.length; i++) {
            double mine = i < svd.rank() ? svd.sigma(i) : 0;
            assertThat(mine).as("sigma %d", i).isCloseTo(expected[i], offset(1e-11 * expected[0]));
        }
        assertThat(svd.totalEnergy()).isCloseTo(frobenius(d) * frobenius(d), offset(1e-11 * svd.totalEnergy()));
    }

    @Property(tries = 150)
    void gaugeChangeOfTheFactorsLeavesTheSpectrumUnchanged(@ForAll @IntRange(min = 1, max = 14) int rows,
                                                           @ForAll @IntRange(min = 1, max = 14) int cols,
                                                           @ForAll @IntRange(min = 1, max = 8) int rank,
                                                           @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LowRank t = randomLowRank(random, rows, cols, rank);
        // G = O₁·diag(d)·O₂ with d in [0.1, 10]: invertible, condition number at most 100.
        DMatrixRMaj g = randomOrthogonal(random, rank);
        for (int j = 0; j < rank; j++) {
            double scale = Math.pow(10, random.nextDouble(-1, 1));
            for (int i = 0; i < rank; i++) {
                g.set(i, j, g.get(i, j) * scale);
            }
        }
        DMatrixRMaj tmp = new DMatrixRMaj(rank, rank);
        CommonOps_DDRM.mult(g, randomOrthogonal(random, rank), tmp);
        g = tmp;
        DMatrixRMaj gInverse = g.copy();
        assertThat(CommonOps_DDRM.invert(gInverse)).isTrue();
        DMatrixRMaj bg = new DMatrixRMaj(rows, rank);
        CommonOps_DDRM.mult(t.left(), g, bg);
        DMatrixRMaj ga = new DMatrixRMaj(rank, cols);
        CommonOps_DDRM.mult(gInverse, t.right(), ga);
        LowRank gauged = LowRank.of(bg, ga, t.scale());

        LowRankSvd before = t.svd();
        LowRankSvd after = gauged.svd();
        assertThat(after.rank()).isEqualTo(before.rank());
        for (int i = 0; i < before.rank(); i++) {
            assertThat(after.sigma(i)).isCloseTo(before.sigma(i), offset(1e-9 * before.sigma(0)));
        }
        assertThat(gauged.frobeniusNorm()).isCloseTo(t.frobeniusNorm(), offset(1e-9 * t.frobeniusNorm()));
    }

    @Property(tries = 150)
    void innerProductAndNormMatchTheDenseMatrices(@ForAll @IntRange(min = 1, max = 14) int rows,
                                                  @ForAll @IntRange(min = 1, max = 14) int cols,
                                                  @ForAll @IntRange(min = 0, max = 6) int rankA,
                                                  @ForAll @IntRange(min = 0, max = 6) int rankB,
                                                  @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LowRank a = randomLowRank(random, rows, cols, rankA);
        LowRank b = randomLowRank(random, rows, cols, rankB);
        DMatrixRMaj da = dense(a);
        DMatrixRMaj db = dense(b);
        double expected = 0;
        for (int i = 0; i < da.data.length; i++) {
            expected += da.data[i] * db.data[i];
        }
        double tolerance = 1e-12 * (1 + frobenius(da) * frobenius(db));
        assertThat(a.inner(b)).isCloseTo(expected, offset(tolerance));
        assertThat(b.inner(a)).isCloseTo(expected, offset(tolerance));
        assertThat(a.frobeniusNorm()).isCloseTo(frobenius(da), offset(1e-12 * (1 + frobenius(da))));
        assertThat(a.inner(a)).isCloseTo(frobenius(da) * frobenius(da), offset(1e-12 * (1 + frobenius(da) * frobenius(da))));
    }

    @Property(tries = 100)
    void weightedSumIsExactAndCancellationGivesZero(@ForAll @IntRange(min = 1, max = 12) int rows,
                                                    @ForAll @IntRange(min = 1, max = 12) int cols,
                                                    @ForAll @IntRange(min = 1, max = 4) int terms,
                                                    @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LowRank> list = new java.util.ArrayList<>();
        double[] weights = new double[terms];
        DMatrixRMaj expected = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < terms; i++) {
            LowRank t = randomLowRank(random, rows, cols, 1 + random.nextInt(5));
            list.add(t);
            weights[i] = random.nextDouble(-2, 2);
            CommonOps_DDRM.addEquals(expected, weights[i], dense(t));
        }
        LowRank sum = LowRank.weightedSum(list, weights);
        assertThat(sum.rank()).isEqualTo(list.stream().mapToInt(LowRank::rank).sum());
        assertThat(frobeniusOfDifference(dense(sum), expected)).isLessThan(1e-12 * (1 + frobenius(expected)));
        assertThat(frobeniusOfDifference(reconstruct(sum.svd()), expected)).isLessThan(1e-11 * (1 + frobenius(expected)));

        // T − T: the Gram formula alone would leave ~1e-8·‖T‖ of rounding; the result must be (numerically) zero.
        LowRank t = list.getFirst();
        LowRank zero = LowRank.weightedSum(List.of(t, t), new double[] {1, -1});
        assertThat(zero.frobeniusNorm()).isLessThan(1e-13 * t.frobeniusNorm());
        assertThat(zero.svd().rank()).isZero();
    }

    @Property(tries = 100)
    void truncationKeepsTheTopTripletsAndReportsExactEnergy(@ForAll @IntRange(min = 1, max = 14) int rows,
                                                            @ForAll @IntRange(min = 1, max = 14) int cols,
                                                            @ForAll @IntRange(min = 1, max = 9) int rank,
                                                            @ForAll @IntRange(min = 0, max = 10) int keep,
                                                            @ForAll long seed) {
        LowRank t = randomLowRank(new SplittableRandom(seed), rows, cols, rank);
        DMatrixRMaj d = dense(t);
        double[] sigma = singularValues(d);
        RankTruncation truncation = t.svd().truncate(keep);
        int kept = Math.min(keep, Math.min(rank, Math.min(rows, cols)));
        assertThat(truncation.svd().rank()).isEqualTo(kept);
        double total = 0;
        double dropped = 0;
        for (int i = 0; i < sigma.length; i++) {
            total += sigma[i] * sigma[i];
            if (i >= kept) {
                dropped += sigma[i] * sigma[i];
            }
        }
        assertThat(truncation.totalEnergy()).isCloseTo(total, offset(1e-11 * total));
        assertThat(truncation.residualEnergy()).isCloseTo(dropped, offset(1e-11 * total));
        assertThat(truncation.retainedEnergy()).isCloseTo(1 - dropped / total, offset(1e-11));
        // Eckart–Young: the residual of the truncated product is exactly the dropped energy.
        double residual = frobeniusOfDifference(reconstruct(truncation.svd()), d);
        assertThat(residual * residual).isCloseTo(dropped, offset(1e-11 * total));
        // Balanced factors represent the same matrix.
        assertThat(frobeniusOfDifference(dense(truncation.svd().toLowRank()), reconstruct(truncation.svd())))
                .isLessThan(1e-12 * (1 + Math.sqrt(total)));
    }

    @Property(tries = 80)
    void numericalRankSeesThroughRedundantFactors(@ForAll @IntRange(min = 3, max = 14) int rows,
                                                  @ForAll @IntRange(min = 3, max = 14) int cols,
                                                  @ForAll @IntRange(min = 1, max = 3) int trueRank,
                                                  @ForAll @IntRange(min = 1, max = 4) int redundant,
                                                  @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // B's extra columns are combinations of the first ones: rank(B·A) = trueRank.
        DMatrixRMaj base = gaussian(random, rows, trueRank);
        DMatrixRMaj mix = gaussian(random, trueRank, trueRank + redundant);
        DMatrixRMaj b = new DMatrixRMaj(rows, trueRank + redundant);
        CommonOps_DDRM.mult(base, mix, b);
        LowRank t = LowRank.of(b, gaussian(random, trueRank + redundant, cols), 1.0);
        assertThat(t.svd().rank()).isEqualTo(trueRank);
        assertThat(PrincipalAngles.columnBasis(t).numCols).isEqualTo(trueRank);
    }

    @Property(tries = 100)
    void denseRowsAreTheRowsOfTheProduct(@ForAll @IntRange(min = 1, max = 150) int rows,
                                         @ForAll @IntRange(min = 1, max = 40) int cols,
                                         @ForAll @IntRange(min = 0, max = 7) int rank,
                                         @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LowRank t = randomLowRank(random, rows, cols, rank);
        DMatrixRMaj d = dense(t);
        int start = random.nextInt(rows);
        int count = random.nextInt(rows - start + 1);
        FloatMatrix block = t.denseRows(start, count);
        assertThat(block.rows()).isEqualTo(count);
        assertThat(block.cols()).isEqualTo(cols);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < cols; j++) {
                double want = d.get(start + i, j);
                assertThat((double) block.get(i, j)).isCloseTo(want, offset(1e-6 * (1 + Math.abs(want))));
            }
        }
        DMatrixRMaj whole = toDouble(t.toDense());
        assertThat(frobeniusOfDifference(whole, d)).isLessThan(1e-6 * (1 + frobenius(d)));
    }

    @Test
    void floatFactorsTransposeAndScaleBehave() {
        SplittableRandom random = new SplittableRandom(3);
        DMatrixRMaj b = gaussian(random, 5, 2);
        DMatrixRMaj a = gaussian(random, 2, 4);
        LowRank t = LowRank.of(DenseReference.toFloat(b), DenseReference.toFloat(a), 0.5);
        DMatrixRMaj expected = new DMatrixRMaj(5, 4);
        CommonOps_DDRM.mult(0.5, toDouble(DenseReference.toFloat(b)), toDouble(DenseReference.toFloat(a)), expected);
        assertThat(frobeniusOfDifference(dense(t), expected)).isLessThan(1e-14);
        assertThat(frobeniusOfDifference(dense(t.transpose()), transpose(expected))).isLessThan(1e-14);
        assertThat(t.scaled(-2).inner(t)).isCloseTo(-2 * t.inner(t), offset(1e-12));
    }

    @Test
    void rejectsBadInputWithOneClearMessage() {
        DMatrixRMaj b = new DMatrixRMaj(4, 2);
        assertThatThrownBy(() -> LowRank.of(b, new DMatrixRMaj(3, 5), 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("do not chain");
        DMatrixRMaj nan = new DMatrixRMaj(2, 5);
        nan.set(1, 3, Double.NaN);
        assertThatThrownBy(() -> LowRank.of(b, nan, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[1, 3]");
        LowRank t = LowRank.of(b, new DMatrixRMaj(2, 5), 1);
        assertThatThrownBy(() -> t.denseRows(3, 2)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> t.inner(LowRank.zero(5, 4))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LowRank.weightedSum(List.of(t), new double[2])).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> t.svd().truncate(-1)).isInstanceOf(InvalidInputException.class);
        assertThat(LowRank.zero(3, 3).svd().rank()).isZero();
        assertThat(LowRank.zero(3, 3).frobeniusNorm()).isZero();
    }
}
