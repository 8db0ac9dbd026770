package dev.concord.tensor.linalg;

import static dev.concord.tensor.linalg.DenseReference.dense;
import static dev.concord.tensor.linalg.DenseReference.gaussian;
import static dev.concord.tensor.linalg.DenseReference.orthonormalityError;
import static dev.concord.tensor.linalg.DenseReference.randomLowRank;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

class PrincipalAnglesTest {

    @Property(tries = 100)
    void overlapMatchesBasesFromTheDenseSvd(@ForAll @IntRange(min = 2, max = 14) int rows,
                                            @ForAll @IntRange(min = 2, max = 14) int cols,
                                            @ForAll @IntRange(min = 1, max = 5) int rankA,
                                            @ForAll @IntRange(min = 1, max = 5) int rankB,
                                            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LowRank a = randomLowRank(random, rows, cols, rankA);
        LowRank b = randomLowRank(random, rows, cols, rankB);
        DMatrixRMaj qa = PrincipalAngles.columnBasis(a);
        DMatrixRMaj qb = PrincipalAngles.columnBasis(b);
        DMatrixRMaj ra = PrincipalAngles.rowBasis(a);
        DMatrixRMaj rb = PrincipalAngles.rowBasis(b);
        assertThat(orthonormalityError(qa)).isLessThan(1e-12);
        assertThat(orthonormalityError(ra)).isLessThan(1e-12);
        assertThat(qa.numCols).isEqualTo(Math.min(rankA, Math.min(rows, cols)));
        assertThat(ra.numRows).isEqualTo(cols);

        double columnOverlap = PrincipalAngles.overlap(qa, qb);
        double rowOverlap = PrincipalAngles.overlap(ra, rb);
        assertThat(columnOverlap).isCloseTo(bruteForceOverlap(dense(a), dense(b), true), offset(1e-9));
        assertThat(rowOverlap).isCloseTo(bruteForceOverlap(dense(a), dense(b), false), offset(1e-9));
        assertThat(PrincipalAngles.overlap(qb, qa)).isCloseTo(columnOverlap, offset(1e-12));
        assertThat(PrincipalAngles.overlap(qa, qa)).isCloseTo(qa.numCols, offset(1e-12));

        double[] cosines = PrincipalAngles.cosines(qa, qb);
        double sumSquares = 0;
        for (double c : cosines) {
            assertThat(c).isBetween(0.0, 1.0);
            sumSquares += c * c;
        }
        assertThat(sumSquares).isCloseTo(columnOverlap, offset(1e-10));
    }

    @Property(tries = 60)
    void sharedAndDisjointSubspacesAreRecognised(@ForAll @IntRange(min = 2, max = 6) int rank,
                                                 @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 4 * rank;
        int cols = 3 * rank;
        DMatrixRMaj b = gaussian(random, rows, rank);
        // Same column space, different mixing: B·M with M invertible (almost surely).
        DMatrixRMaj bm = new DMatrixRMaj(rows, rank);
        CommonOps_DDRM.mult(b, gaussian(random, rank, rank), bm);
        LowRank t1 = LowRank.of(b, gaussian(random, rank, cols), 1);
        LowRank t2 = LowRank.of(bm, gaussian(random, rank, cols), 1);
        assertThat(PrincipalAngles.overlap(PrincipalAngles.columnBasis(t1), PrincipalAngles.columnBasis(t2)))
                .isCloseTo(rank, offset(1e-9));
        // Column spaces on disjoint coordinates: orthogonal.
        DMatrixRMaj top = new DMatrixRMaj(rows, rank);
        DMatrixRMaj bottom = new DMatrixRMaj(rows, rank);
        for (int i = 0; i < rows / 2; i++) {
            for (int j = 0; j < rank; j++) {
                top.set(i, j, random.nextGaussian());
                bottom.set(rows / 2 + i, j, random.nextGaussian());
            }
        }
        LowRank t3 = LowRank.of(top, gaussian(random, rank, cols), 1);
        LowRank t4 = LowRank.of(bottom, gaussian(random, rank, cols), 1);
        assertThat(PrincipalAngles.overlap(PrincipalAngles.columnBasis(t3), PrincipalAngles.columnBasis(t4)))
                .isLessThan(1e-24);
    }

    /** ‖U_aᵀU_b‖²_F (or with V) from EJML's SVD of the dense matrices, rank at 1e-6 of σ_max. */
    private static double bruteForceOverlap(DMatrixRMaj a, DMatrixRMaj b, boolean columns) {
        DMatrixRMaj ua = denseBasis(a, columns);
        DMatrixRMaj ub = denseBasis(b, columns);
        double s = 0;
        for (int i = 0; i < ua.numCols; i++) {
            for (int j = 0; j < ub.numCols; j++) {
                double dot = 0;
                for (int r = 0; r < ua.numRows; r++) {
                    dot += ua.get(r, i) * ub.get(r, j);
                }
                s += dot * dot;
            }
        }
        return s;
    }

    private static DMatrixRMaj denseBasis(DMatrixRMaj m, boolean columns) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(m.numRows, m.numCols, true, true, true);
        svd.decompose(m.copy());
        double[] sigma = svd.getSingularValues();
        double max = 0;
        for (double s : sigma) {
            max = Math.max(max, s);
        }
        DMatrixRMaj vectors = columns ? svd.getU(null, false) : svd.getV(null, false);
        int kept = 0;
        for (double s : sigma) {
            if (s > 1e-6 * max) {
                kept++;
            }
        }
        DMatrixRMaj basis = new DMatrixRMaj(vectors.numRows, kept);
        int c = 0;
        for (int k = 0; k < svd.numberOfSingularValues(); k++) {
            if (sigma[k] > 1e-6 * max) {
                for (int r = 0; r < vectors.numRows; r++) {
                    basis.set(r, c, vectors.get(r, k));
                }
                c++;
            }
        }
        return basis;
    }
}
