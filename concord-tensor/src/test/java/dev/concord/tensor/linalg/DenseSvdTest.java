package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.frobenius;
import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static dev.concord.tensor.linalg.DenseReference.transpose;
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

class DenseSvdTest {

    @Property(tries = 100)
    void reconstructsWithSortedSingularValuesAndOrthonormalVectors(@ForAll @IntRange(min = 1, max = 20) int m,
                                                                   @ForAll @IntRange(min = 1, max = 20) int n,
                                                                   @ForAll long seed) {
        DMatrixRMaj a = gaussian(new SplittableRandom(seed), m, n);
        DenseSvd svd = DenseSvd.of(a);
        int p = Math.min(m, n);
        assertThat(svd.size()).isEqualTo(p);
        for (int i = 1; i < p; i++) {
            assertThat(svd.sigma(i)).isLessThanOrEqualTo(svd.sigma(i - 1));
        }
        assertThat(orthonormalityError(svd.u())).isLessThan(1e-12);
        assertThat(orthonormalityError(transpose(svd.vt()))).isLessThan(1e-12);
        DMatrixRMaj us = svd.u();
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < p; k++) {
                us.set(i, k, us.get(i, k) * svd.sigma(k));
            }
        }
        DMatrixRMaj product = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(us, svd.vt(), product);
        assertThat(frobeniusOfDifference(product, a)).isLessThan(1e-12 * frobenius(a));
    }

    @Test
    void refusesLargeMatricesAndNonFiniteValues() {
        assertThatThrownBy(() -> DenseSvd.of(new DMatrixRMaj(DenseSvd.MAX_SMALL_DIMENSION + 1,
                DenseSvd.MAX_SMALL_DIMENSION + 1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("randomized");
        DMatrixRMaj bad = new DMatrixRMaj(2, 2);
        bad.set(0, 1, Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> DenseSvd.of(bad)).isInstanceOf(InvalidInputException.class);
    }
}
