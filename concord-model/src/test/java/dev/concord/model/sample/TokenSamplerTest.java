package dev.concord.model.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f, 0.5f};

    private static Map<Integer, Integer> histogram(SamplingParams p, int draws) {
        TokenSampler s = new TokenSampler(p);
        Map<Integer, Integer> h = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            h.merge(s.next(LOGITS, 0, LOGITS.length), 1, Integer::sum);
        }
        return h;
    }

    @Test
    void greedyTakesTheFirstMaximum() {
        assertThat(new TokenSampler(SamplingParams.greedy()).next(LOGITS, 0, LOGITS.length)).isEqualTo(1);
        // top_k = 1 is greedy too, whatever the temperature
        assertThat(new TokenSampler(new SamplingParams(5, 1, 1, 9)).next(LOGITS, 0, LOGITS.length)).isEqualTo(1);
        float[] shifted = {9, 9, 1, 2, 3};
        assertThat(TokenSampler.argmax(shifted, 2, 3)).isEqualTo(2);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        SamplingParams p = new SamplingParams(1.0, 0, 1, 42);
        TokenSampler a = new TokenSampler(p);
        TokenSampler b = new TokenSampler(p);
        TokenSampler c = new TokenSampler(new SamplingParams(1.0, 0, 1, 43));
        StringBuilder sa = new StringBuilder();
        StringBuilder sb = new StringBuilder();
        StringBuilder sc = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            sa.append(a.next(LOGITS, 0, LOGITS.length));
            sb.append(b.next(LOGITS, 0, LOGITS.length));
            sc.append(c.next(LOGITS, 0, LOGITS.length));
        }
        assertThat(sa.toString()).isEqualTo(sb.toString()).isNotEqualTo(sc.toString());
    }

    @Test
    void temperatureOneFollowsTheSoftmax() {
        int draws = 40_000;
        Map<Integer, Integer> h = histogram(new SamplingParams(1.0, 0, 1, 7), draws);
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            double expected = Math.exp(LOGITS[i]) / z;
            assertThat(h.getOrDefault(i, 0) / (double) draws).as("token %d", i).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void topKKeepsTiesWithTheKthLogit() {
        // k = 2: the two 3.0 logits; k = 1 would be greedy; k = 3 adds the 2.0
        assertThat(histogram(new SamplingParams(1.0, 2, 1, 3), 2000).keySet()).containsExactlyInAnyOrder(1, 3);
        assertThat(histogram(new SamplingParams(1.0, 3, 1, 3), 4000).keySet()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities: 3.0 (x2) ~ 0.366 each, 2.0 ~ 0.135, 1.0 ~ 0.05, 0.5 ~ 0.03, -1 ~ 0.007
        assertThat(histogram(new SamplingParams(1.0, 0, 0.5, 5), 2000).keySet()).containsExactlyInAnyOrder(1, 3);
        assertThat(histogram(new SamplingParams(1.0, 0, 0.8, 5), 4000).keySet()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(histogram(new SamplingParams(1.0, 0, 0.01, 5), 500).keySet()).containsExactly(1);
    }

    @Test
    void lowTemperatureSharpens() {
        Map<Integer, Integer> h = histogram(new SamplingParams(0.05, 0, 1, 11), 2000);
        assertThat(h.keySet()).containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void badParametersAreRejected() {
        assertThatThrownBy(() -> new SamplingParams(-1, 0, 1, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--temperature");
        assertThatThrownBy(() -> new SamplingParams(1, -2, 1, 0)).hasMessageContaining("--top-k");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 0)).hasMessageContaining("--top-p");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 1.5, 0)).hasMessageContaining("--top-p");
        assertThatThrownBy(() -> new SamplingParams(Double.NaN, 0, 1, 0)).hasMessageContaining("--temperature");
    }
}
