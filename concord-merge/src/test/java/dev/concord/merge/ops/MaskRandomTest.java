package dev.concord.merge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MaskRandomTest {
    @Test
    void drawsArePureFunctionsOfTheirKey() {
        MaskRandom a = MaskRandom.of(42, MaskRandom.STREAM_DARE, "model.layers.0.mlp.up_proj", 1);
        MaskRandom b = MaskRandom.of(42, MaskRandom.STREAM_DARE, "model.layers.0.mlp.up_proj", 1);
        for (long i = 0; i < 1000; i += 37) {
            assertThat(a.uniform(i)).isEqualTo(b.uniform(i));
        }
    }

    @Test
    void masksDifferBetweenModulesTasksSeedsAndStreams() {
        String m = "model.layers.0.self_attn.q_proj";
        long[] base = mask(MaskRandom.of(0, MaskRandom.STREAM_DARE, m, 0));
        assertThat(mask(MaskRandom.of(0, MaskRandom.STREAM_DARE, "model.layers.1.self_attn.q_proj", 0))).isNotEqualTo(base);
        assertThat(mask(MaskRandom.of(0, MaskRandom.STREAM_DARE, m, 1))).isNotEqualTo(base);
        assertThat(mask(MaskRandom.of(1, MaskRandom.STREAM_DARE, m, 0))).isNotEqualTo(base);
        assertThat(mask(MaskRandom.of(0, MaskRandom.STREAM_DELLA, m, 0))).isNotEqualTo(base);
    }

    private static long[] mask(MaskRandom r) {
        long[] bits = new long[4];
        for (int i = 0; i < 256; i++) {
            if (r.keep(i, 0.5)) {
                bits[i / 64] |= 1L << (i % 64);
            }
        }
        return bits;
    }

    @Test
    void keepFrequencyMatchesTheProbability() {
        MaskRandom r = MaskRandom.of(3, MaskRandom.STREAM_DARE, "m", 0);
        int n = 200_000;
        for (double p : new double[] {0.1, 0.5, 0.9}) {
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (r.keep(i, p)) {
                    kept++;
                }
            }
            // 5 standard deviations
            assertThat((double) kept / n).isCloseTo(p, within(5 * Math.sqrt(p * (1 - p) / n)));
        }
    }

    @Test
    void daremaskDoesNotDependOnBlocking() {
        MaskRandom r = MaskRandom.of(9, MaskRandom.STREAM_DARE, "m", 2);
        float[] v = TopMagnitudeSelectionTest.values(1, 1000, false);
        float[] whole = v.clone();
        DareMask.apply(r, 0.3, 1 / 0.3, whole, 0, whole.length, 0);
        float[] blocks = v.clone();
        for (int s = 0; s < blocks.length; s += 77) {
            DareMask.apply(r, 0.3, 1 / 0.3, blocks, s, Math.min(77, blocks.length - s), s);
        }
        assertThat(blocks).containsExactly(whole);
    }
}
