package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.concord.tensor.FloatMatrix;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TaskVectorTest {

    static FloatMatrix random(int rows, int cols, SplittableRandom rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return new FloatMatrix(rows, cols, v);
    }

    /** The product computed the slow, obvious way, in double. */
    static double[][] bruteForce(double scale, FloatMatrix l, FloatMatrix r) {
        double[][] out = new double[l.rows()][r.cols()];
        for (int i = 0; i < l.rows(); i++) {
            for (int j = 0; j < r.cols(); j++) {
                double s = 0;
                for (int p = 0; p < l.cols(); p++) {
                    s += (double) l.get(i, p) * r.get(p, j);
                }
                out[i][j] = scale * s;
            }
        }
        return out;
    }

    @Property(tries = 40)
    void denseNormAndInnerProductAgreeWithBruteForce(@ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 40) int cols, @ForAll @IntRange(min = 1, max = 9) int k,
            @ForAll @IntRange(min = 1, max = 9) int k2, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double scale = rnd.nextDouble(-3, 3);
        FloatMatrix l = random(rows, k, rnd);
        FloatMatrix r = random(k, cols, rnd);
        TaskVector tau = TaskVector.of(scale, l, r);
        double[][] expected = bruteForce(scale, l, r);

        FloatMatrix dense = tau.dense();
        double sumSq = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertThat(dense.get(i, j)).isEqualTo((float) expected[i][j]);
                sumSq += expected[i][j] * expected[i][j];
            }
        }
        assertThat(tau.frobeniusNorm()).isCloseTo(Math.sqrt(sumSq), within(1e-9 * (1 + Math.sqrt(sumSq))));

        TaskVector other = TaskVector.of(rnd.nextDouble(-2, 2), random(rows, k2, rnd), random(k2, cols, rnd));
        double[][] o = bruteForce(other.scale(), other.left(), other.right());
        double dot = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                dot += expected[i][j] * o[i][j];
            }
        }
        assertThat(tau.innerProduct(other)).isCloseTo(dot, within(1e-9 * (1 + Math.abs(dot) + sumSq)));
        assertThat(tau.innerProduct(tau)).isCloseTo(sumSq, within(1e-9 * (1 + sumSq)));
    }

    @Test
    void rowBlocksTileTheDenseMatrix() {
        SplittableRandom rnd = new SplittableRandom(7);
        TaskVector tau = TaskVector.of(0.75, random(37, 5, rnd), random(5, 23, rnd));
        FloatMatrix dense = tau.dense();
        float[] tiled = new float[37 * 23];
        for (int start = 0; start < 37; start += 8) {
            int count = Math.min(8, 37 - start);
            FloatMatrix block = tau.denseRows(start, count);
            assertThat(block.rows()).isEqualTo(count);
            System.arraycopy(block.data(), 0, tiled, start * 23, count * 23);
        }
        assertThat(tiled).isEqualTo(dense.data());
        float[] into = new float[5 + 2 * 23];
        tau.denseRows(10, 2, into, 5);
        for (int j = 0; j < 23; j++) {
            assertThat(into[5 + j]).isEqualTo(dense.get(10, j));
            assertThat(into[5 + 23 + j]).isEqualTo(dense.get(11, j));
        }
    }

    @Test
    void transposeScaledAndZero() {
        SplittableRandom rnd = new SplittableRandom(3);
        TaskVector tau = TaskVector.of(-1.5, random(6, 3, rnd), random(3, 4, rnd));
        assertThat(tau.transpose().dense()).isEqualTo(tau.dense().transpose());
        assertThat(tau.scaled(2).frobeniusNorm()).isCloseTo(2 * tau.frobeniusNorm(), within(1e-9));
        assertThat(tau.rows()).isEqualTo(6);
        assertThat(tau.cols()).isEqualTo(4);
        assertThat(tau.rank()).isEqualTo(3);

        TaskVector zero = TaskVector.zero(6, 4);
        assertThat(zero.rank()).isZero();
        assertThat(zero.frobeniusNorm()).isZero();
        assertThat(zero.innerProduct(tau)).isZero();
        assertThat(zero.dense()).isEqualTo(FloatMatrix.zeros(6, 4));
    }

    @Test
    void normOfALargeUpdateNeedsNoDenseMatrix() {
        // 20000 x 20000 would be 1.6 GB dense; the Gram route needs a few MB and a few milliseconds
        SplittableRandom rnd = new SplittableRandom(11);
        FloatMatrix l = random(20000, 4, rnd);
        FloatMatrix r = random(4, 20000, rnd);
        TaskVector tau = TaskVector.of(1.0, l, r);
        double norm = tau.frobeniusNorm();
        // a row block agrees with the norm's share: ‖row i‖² summed over a block ≤ ‖tau‖²
        FloatMatrix rows = tau.denseRows(19990, 10);
        assertThat(rows.frobeniusNorm()).isLessThan(norm);
        assertThat(norm).isGreaterThan(0);
    }

    @Test
    void misuseIsRejected() {
        SplittableRandom rnd = new SplittableRandom(1);
        assertThatThrownBy(() -> TaskVector.of(1, random(3, 2, rnd), random(3, 2, rnd)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not chain");
        assertThatThrownBy(() -> TaskVector.of(Double.NaN, random(3, 2, rnd), random(2, 2, rnd)))
                .isInstanceOf(IllegalArgumentException.class);
        TaskVector tau = TaskVector.of(1, random(3, 2, rnd), random(2, 4, rnd));
        assertThatThrownBy(() -> tau.denseRows(2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tau.denseRows(0, 1, new float[3], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tau.innerProduct(TaskVector.zero(4, 3))).isInstanceOf(IllegalArgumentException.class);
    }
}
