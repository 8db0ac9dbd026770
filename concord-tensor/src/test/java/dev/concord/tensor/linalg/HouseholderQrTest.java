package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.frobenius;
import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class HouseholderQrTest {

    @Property(tries = 150)
    void qTimesRReconstructsWithOrthonormalQAndTriangularR(@ForAll @IntRange(min = 1, max = 30) int m,
                                                           @ForAll @IntRange(min = 1, max = 30) int n,
                                                           @ForAll @IntRange(min = 0, max = 3) int duplicatedColumns,
                                                           @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj a = gaussian(random, m, n);
        // Make the matrix rank-deficient: copy some columns, zero one.
        for (int d = 0; d < duplicatedColumns && n > 1; d++) {
            int from = random.nextInt(n);
            int to = random.nextInt(n);
            for (int i = 0; i < m; i++) {
                a.set(i, to, d == 2 ? 0 : a.get(i, from));
            }
        }
        DMatrixRMaj original = a.copy();
        HouseholderQr qr = HouseholderQr.of(a);
        assertThat(a.data).isEqualTo(original.data);
        int p = Math.min(m, n);
        DMatrixRMaj q = qr.q();
        DMatrixRMaj r = qr.r();
        assertThat(q.numRows).isEqualTo(m);
        assertThat(q.numCols).isEqualTo(p);
        assertThat(r.numRows).isEqualTo(p);
        assertThat(r.numCols).isEqualTo(n);
        assertThat(orthonormalityError(q)).isLessThan(1e-13);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < Math.min(i, n); j++) {
                assertThat(r.get(i, j)).isZero();
            }
        }
        DMatrixRMaj product = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(q, r, product);
        assertThat(frobeniusOfDifference(product, a)).isLessThanOrEqualTo(1e-13 * (1 + frobenius(a)));
    }

    @Property(tries = 30)
    void severalPanelsOfReflectionsStillReconstruct(@ForAll @IntRange(min = 1, max = 120) int m,
                                                    @ForAll @IntRange(min = 31, max = 110) int n,
                                                    @ForAll long seed) {
        DMatrixRMaj a = gaussian(new SplittableRandom(seed), m, n);
        HouseholderQr qr = HouseholderQr.of(a);
        DMatrixRMaj q = qr.q();
        assertThat(orthonormalityError(q)).isLessThan(1e-13);
        DMatrixRMaj product = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(q, qr.r(), product);
        assertThat(frobeniusOfDifference(product, a)).isLessThanOrEqualTo(1e-13 * frobenius(a));
    }

    @Property(tries = 100)
    void applyQEqualsMultiplyingByQ(@ForAll @IntRange(min = 1, max = 40) int m,
                                    @ForAll @IntRange(min = 1, max = 12) int n,
                                    @ForAll @IntRange(min = 0, max = 9) int q,
                                    @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        HouseholderQr qr = HouseholderQr.of(gaussian(random, m, n));
        DMatrixRMaj x = gaussian(random, qr.size(), q);
        DMatrixRMaj expected = new DMatrixRMaj(m, q);
        CommonOps_DDRM.mult(qr.q(), x, expected);
        assertThat(frobeniusOfDifference(qr.applyQ(x), expected)).isLessThan(1e-12 * (1 + frobenius(x)));
    }

    @Test
    void tallMatrixBeyondCacheBlocksStaysOrthonormal() {
        SplittableRandom random = new SplittableRandom(7);
        DMatrixRMaj a = gaussian(random, 1100, 70);
        HouseholderQr qr = HouseholderQr.of(a);
        DMatrixRMaj q = qr.q();
        assertThat(orthonormalityError(q)).isLessThan(1e-13);
        DMatrixRMaj product = new DMatrixRMaj(1100, 70);
        CommonOps_DDRM.mult(q, qr.r(), product);
        assertThat(frobeniusOfDifference(product, a)).isLessThan(1e-12 * frobenius(a));
    }

    @Property(tries = 40)
    void recursiveHalvesOfEveryWidthAndWideMatricesReconstruct(@ForAll @IntRange(min = 1, max = 90) int m,
                                                                @ForAll @IntRange(min = 1, max = 90) int n,
                                                                @ForAll long seed) {
        // odd widths split into unequal halves at every level; n > m leaves columns for the final update
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj a = gaussian(random, m, n);
        HouseholderQr qr = HouseholderQr.of(a);
        DMatrixRMaj q = qr.q();
        assertThat(orthonormalityError(q)).isLessThan(1e-13);
        DMatrixRMaj product = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(q, qr.r(), product);
        assertThat(frobeniusOfDifference(product, a)).isLessThanOrEqualTo(1e-13 * frobenius(a));
        // Q applied through the T assembled during the factorization equals the explicit product
        DMatrixRMaj x = gaussian(random, qr.size(), 5);
        DMatrixRMaj expected = new DMatrixRMaj(m, 5);
        CommonOps_DDRM.mult(q, x, expected);
        assertThat(frobeniusOfDifference(qr.applyQ(x), expected)).isLessThan(1e-12 * (1 + frobenius(x)));
    }

    @Test
    void theSameInputGivesTheSameBitsBeforeAndAfterWarmUp() {
        // the lane sums run in a fixed order, so JIT compilation cannot change the result
        DMatrixRMaj a = gaussian(new SplittableRandom(3), 700, 40);
        double[] first = HouseholderQr.of(a).r().data;
        for (int i = 0; i < 300; i++) {
            HouseholderQr.of(a);
        }
        assertThat(HouseholderQr.of(a).r().data).isEqualTo(first);
    }

    @Test
    void rejectsNonFiniteInputAndMismatchedQOperands() {
        DMatrixRMaj a = new DMatrixRMaj(3, 2);
        a.set(1, 1, Double.NaN);
        assertThatThrownBy(() -> HouseholderQr.of(a)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[1, 1]");
        HouseholderQr qr = HouseholderQr.of(new DMatrixRMaj(4, 2));
        assertThatThrownBy(() -> qr.applyQ(new DMatrixRMaj(3, 1))).isInstanceOf(InvalidInputException.class);
    }
}
