package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.dense;
import static dev.concord.tensor.linalg.DenseReference.frobenius;
import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.randomLowRank;
import static dev.concord.tensor.linalg.DenseReference.singularValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class SharedBasisTest {

    /** Q_b·X·Y·Q_aᵀ densified, through expand. */
    private static DMatrixRMaj expanded(SharedBasis basis, DMatrixRMaj x, DMatrixRMaj y) {
        return dense(basis.expand(x, y));
    }

    @Property(tries = 60)
    void everyTermIsItsCoreInTheSharedBases(@ForAll @IntRange(min = 1, max = 4) int terms,
                                            @ForAll @IntRange(min = 1, max = 40) int rows,
                                            @ForAll @IntRange(min = 1, max = 40) int cols,
                                            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LowRank> list = new ArrayList<>();
        for (int i = 0; i < terms; i++) {
            list.add(randomLowRank(random, rows, cols, 1 + random.nextInt(6)));
        }
        SharedBasis basis = SharedBasis.of(list);
        int total = list.stream().mapToInt(LowRank::rank).sum();
        assertThat(basis.leftDimension()).isEqualTo(Math.min(rows, total));
        assertThat(basis.rightDimension()).isEqualTo(Math.min(cols, total));
        for (int i = 0; i < terms; i++) {
            LowRank core = basis.core(i);
            assertThat(core.rows()).isEqualTo(basis.leftDimension());
            assertThat(core.cols()).isEqualTo(basis.rightDimension());
            // T_i = Q_b·core·Q_aᵀ: expand the core's own factors
            DMatrixRMaj want = dense(list.get(i));
            DMatrixRMaj got = expanded(basis, core.left(), core.right());
            assertThat(frobeniusOfDifference(got, want)).isLessThanOrEqualTo(1e-12 * (1 + frobenius(want)));
            // an orthonormal change of basis keeps the singular values
            double[] expected = singularValues(want);
            LowRankSvd svd = core.svd();
            for (int k = 0; k < svd.rank(); k++) {
                assertThat(svd.sigma(k)).isCloseTo(expected[k], org.assertj.core.data.Offset.offset(
                        1e-10 * (1 + expected[0])));
            }
        }
    }

    @Test
    void expandIsLinearInTheCoordinatesAndKeepsOrthonormality() {
        SplittableRandom random = new SplittableRandom(9);
        List<LowRank> list = List.of(randomLowRank(random, 300, 120, 5), randomLowRank(random, 300, 120, 7));
        SharedBasis basis = SharedBasis.of(list);
        int pb = basis.leftDimension();
        int pa = basis.rightDimension();
        // identity coordinates give Q_b·Q_aᵀ-style factors with orthonormal columns and rows
        DMatrixRMaj eyeB = CommonOps_DDRM.identity(pb, 4);
        DMatrixRMaj eyeA = CommonOps_DDRM.identity(4, pa);
        LowRank e = basis.expand(eyeB, eyeA);
        assertThat(DenseReference.orthonormalityError(e.left())).isLessThan(1e-13);
        assertThat(DenseReference.orthonormalityError(DenseReference.transpose(e.right()))).isLessThan(1e-13);
        // the whole of term 0 + 2·term 1 through one expansion of the summed cores
        DMatrixRMaj x = new DMatrixRMaj(pb, 0);
        DMatrixRMaj y = new DMatrixRMaj(0, pa);
        DMatrixRMaj sum = new DMatrixRMaj(pb, pa);
        for (int i = 0; i < 2; i++) {
            DMatrixRMaj core = dense(basis.core(i));
            CommonOps_DDRM.addEquals(sum, i == 0 ? 1 : 2, core);
        }
        DMatrixRMaj want = dense(list.get(0));
        CommonOps_DDRM.addEquals(want, 2, dense(list.get(1)));
        DMatrixRMaj got = expanded(basis, sum, CommonOps_DDRM.identity(pa));
        assertThat(frobeniusOfDifference(got, want)).isLessThan(1e-11 * frobenius(want));
        assertThat(basis.expand(x, y).rank()).isZero();
    }

    @Test
    void aRepeatedTermIsHandledByTheReflectionsNotByAnInverse() {
        // the stacks [B B] and [A; A] are rank-deficient: Householder QR still gives orthonormal bases
        SplittableRandom random = new SplittableRandom(4);
        LowRank t = randomLowRank(random, 50, 30, 4);
        SharedBasis basis = SharedBasis.of(List.of(t, t, LowRank.zero(50, 30)));
        for (int i = 0; i < 2; i++) {
            DMatrixRMaj got = expanded(basis, basis.core(i).left(), basis.core(i).right());
            assertThat(frobeniusOfDifference(got, dense(t))).isLessThan(1e-12 * frobenius(dense(t)));
        }
        assertThat(basis.core(2).rank()).isZero();
        assertThat(basis.core(2).svd().rank()).isZero();
    }

    @Test
    void badInputIsRefused() {
        SplittableRandom random = new SplittableRandom(1);
        assertThatThrownBy(() -> SharedBasis.of(List.of())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> SharedBasis.of(List.of(randomLowRank(random, 5, 4, 2), randomLowRank(random, 4, 5, 2))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("term 1 has shape [4, 5]");
        SharedBasis basis = SharedBasis.of(List.of(randomLowRank(random, 6, 5, 2)));
        assertThatThrownBy(() -> basis.expand(gaussian(random, 3, 1), gaussian(random, 1, 2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("do not fit");
        DMatrixRMaj nan = gaussian(random, 2, 1);
        nan.data[0] = Double.NaN;
        assertThatThrownBy(() -> basis.expand(nan, gaussian(random, 1, 2))).isInstanceOf(InvalidInputException.class);
    }
}
