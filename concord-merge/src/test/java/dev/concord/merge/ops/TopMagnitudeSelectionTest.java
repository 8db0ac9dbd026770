package dev.concord.merge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TopMagnitudeSelectionTest {

    /** Values with many exact ties (a few distinct magnitudes, both signs, zeros) or continuous ones. */
    static float[] values(long seed, int n, boolean ties) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ties ? (r.nextInt(7) - 3) * 0.25f : (float) r.nextGaussian();
        }
        return v;
    }

    static long kept(MagnitudeCut cut, float[] v) {
        long c = 0;
        for (int i = 0; i < v.length; i++) {
            if (cut.keeps(Math.abs(v[i]), i)) {
                c++;
            }
        }
        return c;
    }

    @Property(tries = 200)
    void streamingSelectionEqualsTheSortingReference(@ForAll @IntRange(min = 1, max = 3000) int n,
            @ForAll @IntRange(min = 0, max = 1000) int densityPermille, @ForAll long seed,
            @ForAll boolean ties, @ForAll @IntRange(min = 1, max = 700) int block,
            @ForAll @IntRange(min = 1, max = 5000) int budget, @ForAll boolean reverse) {
        float[] v = values(seed, n, ties);
        long k = MagnitudeCut.keepCount(densityPermille / 1000.0, n);
        MagnitudeCut expected = MagnitudeCut.ofTopK(v, 0, n, k);
        TopMagnitudeSelection sel = new TopMagnitudeSelection(budget);
        MagnitudeCut got = sel.select(new ArrayScan(v, block, reverse), n, k, i -> Float.floatToRawIntBits(v[(int) i]));
        // Same kept set element by element (the cut may be spelled differently when ties are zeros).
        for (int i = 0; i < n; i++) {
            if (v[i] != 0f) {
                assertThat(got.keeps(Math.abs(v[i]), i)).as("element %d = %s", i, v[i])
                        .isEqualTo(expected.keeps(Math.abs(v[i]), i));
            }
        }
        if (expected.threshold() > 0) {
            assertThat(kept(got, v)).isEqualTo(k);
        }
    }

    @Test
    void keepsExactlyKWithTiesAtTheBoundaryLowestIndicesFirst() {
        float[] v = {0.5f, -1f, 1f, 0.5f, -0.5f, 2f, 0.5f};
        // top 4: 2, -1, 1, then one of the four 0.5s: the lowest index (0)
        MagnitudeCut cut = MagnitudeCut.ofTopK(v, 0, v.length, 4);
        assertThat(cut.threshold()).isEqualTo(0.5f);
        assertThat(cut.lastTieIndex()).isEqualTo(0);
        MagnitudeCut streamed = new TopMagnitudeSelection(2).select(new ArrayScan(v, 2, false), v.length, 4, null);
        assertThat(streamed).isEqualTo(cut);
    }

    @Test
    void largeTensorUsesTheSampledWindowInOnePass() {
        float[] v = values(7, 300_000, false);
        long k = MagnitudeCut.keepCount(0.2, v.length);
        TopMagnitudeSelection sel = new TopMagnitudeSelection(50_000);
        MagnitudeCut got = sel.select(new ArrayScan(v, 4096, false), v.length, k, i -> Float.floatToRawIntBits(v[(int) i]));
        assertThat(sel.passesUsed()).isEqualTo(1);
        assertThat(got).isEqualTo(MagnitudeCut.ofTopK(v, 0, v.length, k));
    }

    @Test
    void withoutSamplerAHistogramNarrowsTheSearch() {
        float[] v = values(8, 200_000, false);
        long k = MagnitudeCut.keepCount(0.3, v.length);
        TopMagnitudeSelection sel = new TopMagnitudeSelection(10_000);
        MagnitudeCut got = sel.select(new ArrayScan(v, 1000, true), v.length, k, null);
        assertThat(sel.passesUsed()).isGreaterThanOrEqualTo(2);
        assertThat(got).isEqualTo(MagnitudeCut.ofTopK(v, 0, v.length, k));
    }

    @Test
    void massiveTiesAreResolvedByIndexWithoutCollectingThem() {
        float[] v = new float[50_000];
        java.util.Arrays.fill(v, 0.75f);
        v[3] = 2f;
        TopMagnitudeSelection sel = new TopMagnitudeSelection(100);
        MagnitudeCut got = sel.select(new ArrayScan(v, 333, false), v.length, 1001, null);
        assertThat(got.threshold()).isEqualTo(0.75f);
        assertThat(kept(got, v)).isEqualTo(1001);
        assertThat(got).isEqualTo(MagnitudeCut.ofTopK(v, 0, v.length, 1001));
    }

    @Test
    void keepCountTruncatesLikePython() {
        assertThat(MagnitudeCut.keepCount(0.3, 4096)).isEqualTo(1228);
        assertThat(MagnitudeCut.keepCount(0.2, 10)).isEqualTo(2);
        // 0.7 * 10 = 7.000000000000001 in binary floating point; int() truncates to 7
        assertThat(MagnitudeCut.keepCount(0.7, 10)).isEqualTo(7);
        // 0.29 * 100 = 28.999999999999996, which Python's int() also truncates to 28
        assertThat(MagnitudeCut.keepCount(0.29, 100)).isEqualTo(28);
    }
}
