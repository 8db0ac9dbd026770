package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.frobeniusOfDifference;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static dev.concord.tensor.linalg.DenseReference.randomOrthogonal;
import static dev.concord.tensor.linalg.DenseReference.transpose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

class PolarTest {

    @Property(tries = 100)
    void orthogonalFactorIsUVtOfTheDenseSvdAndIsTheNearestOrthonormalMatrix(
            @ForAll @IntRange(min = 1, max = 25) int m, @ForAll @IntRange(min = 1, max = 25) int n,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj a = gaussian(random, m, n);
        DMatrixRMaj p = Polar.orthogonalFactor(a);
        assertThat(p.numRows).isEqualTo(m);
        assertThat(p.numCols).isEqualTo(n);
        assertThat(orthonormalityError(m >= n ? p : transpose(p))).isLessThan(1e-12);

        // Brute force: U·Vᵀ from EJML's SVD of the whole matrix (unique: a Gaussian matrix has full rank).
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, true, true, true);
        svd.decompose(a.copy());
        DMatrixRMaj expected = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(svd.getU(null, false), svd.getV(null, true), expected);
        assertThat(frobeniusOfDifference(p, expected)).isLessThan(1e-8);

        // Nearest: no other matrix with orthonormal columns (rows) is closer to a.
        int d = Math.max(m, n);
        int k = Math.min(m, n);
        DMatrixRMaj other = CommonOps_DDRM.extract(randomOrthogonal(random, d), 0, d, 0, k);
        DMatrixRMaj candidate = m >= n ? other : transpose(other);
        assertThat(frobeniusOfDifference(a, p)).isLessThanOrEqualTo(frobeniusOfDifference(a, candidate) + 1e-12);
    }

    @Property(tries = 60)
    void partialIsometryOfAFullRankMatrixIsThePolarFactor(@ForAll @IntRange(min = 1, max = 40) int m,
                                                         @ForAll @IntRange(min = 1, max = 40) int n,
                                                         @ForAll long seed) {
        // tall, nearly square (direct SVD) and much taller (QR first) shapes, and wide ones
        DMatrixRMaj a = gaussian(new SplittableRandom(seed), m, n);
        assertThat(frobeniusOfDifference(Polar.partialIsometry(a, 1e-6), Polar.orthogonalFactor(a))).isLessThan(1e-10);
    }

    @Test
    void partialIsometryOfARepeatedBasisSplitsEachDirectionEvenly() {
        // M = [U U] with orthonormal U: σ = √2 on U's range and 0 elsewhere, so the partial isometry is [U U]/√2
        // (a full polar factor would invent directions to fill the other half)
        SplittableRandom random = new SplittableRandom(5);
        for (int rows : new int[] {12, 40}) {
            DMatrixRMaj u = CommonOps_DDRM.extract(randomOrthogonal(random, rows), 0, rows, 0, 5);
            DMatrixRMaj m = new DMatrixRMaj(rows, 10);
            CommonOps_DDRM.insert(u, m, 0, 0);
            CommonOps_DDRM.insert(u, m, 0, 5);
            DMatrixRMaj expected = m.copy();
            CommonOps_DDRM.scale(1 / Math.sqrt(2), expected);
            assertThat(frobeniusOfDifference(Polar.partialIsometry(m, 1e-6), expected)).isLessThan(1e-12);
            assertThat(frobeniusOfDifference(Polar.partialIsometry(transpose(m), 1e-6), transpose(expected)))
                    .isLessThan(1e-12);
        }
        assertThat(Polar.partialIsometry(new DMatrixRMaj(4, 3), 1e-6).data).containsOnly(0.0);
        assertThatThrownBy(() -> Polar.partialIsometry(new DMatrixRMaj(2, 2), 1.0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 1)");
    }

    @Property(tries = 100)
    void procrustesRecoversAKnownRotation(@ForAll @IntRange(min = 1, max = 10) int d,
                                          @ForAll @IntRange(min = 0, max = 10) int extraColumns,
                                          @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj omega = randomOrthogonal(random, d);
        DMatrixRMaj from = gaussian(random, d, d + extraColumns);
        DMatrixRMaj to = new DMatrixRMaj(d, d + extraColumns);
        CommonOps_DDRM.mult(omega, from, to);
        DMatrixRMaj recovered = Polar.procrustesRotation(from, to);
        assertThat(frobeniusOfDifference(recovered, omega)).isLessThan(1e-8);
    }
}
