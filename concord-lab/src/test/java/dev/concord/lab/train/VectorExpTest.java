package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorExpTest {
    @Test
    void agreesWithMathExpToAFewUlpsOverTheFloatRange() {
        float[] x = new float[Gemm.L];
        float[] out = new float[Gemm.L];
        double worst = 0;
        for (int i = 0; i <= 200_000; i++) {
            float v = -87f + 175f * i / 200_000;
            x[i % x.length] = v;
            if (i % x.length == x.length - 1) {
                VectorExp.exp(FloatVector.fromArray(Gemm.F, x, 0)).intoArray(out, 0);
                for (int j = 0; j < x.length; j++) {
                    double want = Math.exp(x[j]);
                    worst = Math.max(worst, Math.abs(out[j] - want) / want);
                }
            }
        }
        assertThat(worst).isLessThan(4e-7);
    }

    @Test
    void saturatesInsteadOfOverflowingOrGoingNegative() {
        float[] x = new float[Gemm.L];
        java.util.Arrays.fill(x, 1000f);
        x[1] = -1000f;
        x[2] = 0f;
        float[] out = new float[Gemm.L];
        VectorExp.exp(FloatVector.fromArray(Gemm.F, x, 0)).intoArray(out, 0);
        assertThat(out[0]).isFinite().isGreaterThan(1e38f);
        assertThat(out[1]).isBetween(0f, 1e-37f);
        assertThat(out[2]).isEqualTo(1f);
    }
}
