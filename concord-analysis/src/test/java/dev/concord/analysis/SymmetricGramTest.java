package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SymmetricGramTest {
    @ParameterizedTest
    @CsvSource({"1,1", "7,5", "37,53", "300,97", "513,200", "40,0", "0,12"})
    void matchesNaiveProduct(int d, int k) {
        SplittableRandom rnd = new SplittableRandom(d * 31L + k);
        double[] x = new double[d * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        double[] g = SymmetricGram.of(x, d, k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int p = 0; p < d; p++) {
                    s += x[p * k + i] * x[p * k + j];
                }
                assertThat(g[i * k + j]).as("G[%d][%d]", i, j).isCloseTo(s, within(1e-11 * (d + 1)));
                assertThat(g[i * k + j]).isEqualTo(g[j * k + i]);
            }
        }
    }
}
