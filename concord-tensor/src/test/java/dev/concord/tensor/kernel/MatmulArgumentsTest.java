package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad arguments fail before any output is written, with a message, never an index error from inside a loop. */
class MatmulArgumentsTest {
    static Kernels[] kernels() {
        return new Kernels[] {Kernels.scalar(), Kernels.vector()};
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void rejectsShortArraysStridesOverlapsAndBadBias(Kernels k) {
        WeightMatrix w = WeightMatrix.ofFloats(new float[12], 3, 4);
        float[] y = new float[6];
        Arrays.fill(y, 7f);
        assertRejected(() -> k.gemm(w, new float[7], 2, y), "x needs 8");
        assertRejected(() -> k.gemm(w, new float[8], 2, new float[5]), "y needs 6");
        assertRejected(() -> k.matmul(w, new float[8], 0, 3, 2, y, 0, 3, 1f, null, false), "stride 3");
        assertRejected(() -> k.matmul(w, new float[8], 0, 4, 2, y, 0, 2, 1f, null, false), "stride 2");
        assertRejected(() -> k.matmul(w, new float[8], -1, 4, 1, y, 0, 3, 1f, null, false), "offset");
        assertRejected(() -> k.matmul(w, new float[8], 0, 4, -1, y, 0, 3, 1f, null, false), "n must be");
        assertRejected(() -> k.gemv(w, new float[4], 0, y, 0, new float[2]), "bias has 2");
        float[] shared = new float[20];
        assertRejected(() -> k.matmul(w, shared, 0, 4, 2, shared, 6, 3, 1f, null, false), "overlap");
        assertRejected(() -> k.gemm(null, new float[8], 2, y), "weights");
        assertThat(y).containsOnly(7f);
        // disjoint parts of one array are fine
        k.matmul(w, shared, 0, 4, 2, shared, 8, 3, 1f, null, false);
        assertThat(Arrays.copyOfRange(shared, 8, 14)).containsOnly(0f);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void vectorOperationsCheckTheirRanges(Kernels k) {
        assertRejected(() -> k.dot(new float[3], 1, new float[3], 0, 3), "a range");
        assertRejected(() -> k.axpy(1f, new float[3], 0, new float[2], 0, 3), "y range");
        assertRejected(() -> k.scale(1f, new float[3], 0, -1), "x range");
        assertThat(k.dot(new float[0], 0, new float[0], 0, 0)).isZero();
    }

    private static void assertRejected(Runnable call, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(messagePart);
    }
}
