package dev.concord.lab.skill;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeededRandomTest {
    @Test
    void seedZeroWithoutLabelsIsTheReferenceSplitMix64Sequence() {
        // mix(0) == 0, so the stream starts from state 0: the published SplitMix64 outputs for seed 0.
        SeededRandom r = SeededRandom.of(0);
        assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(r.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Property(tries = 50)
    void sameSeedAndLabelsGiveTheSameStream(@ForAll long seed) {
        long[] a = draws(SeededRandom.of(seed, "rot3", "heldout"));
        long[] b = draws(SeededRandom.of(seed, "rot3", "heldout"));
        assertThat(a).isEqualTo(b);
    }

    @Property(tries = 50)
    void labelsAndSeedsSeparateStreams(@ForAll long seed) {
        long[] base = draws(SeededRandom.of(seed, "rot3", "heldout"));
        assertThat(draws(SeededRandom.of(seed, "rot3", "ood"))).isNotEqualTo(base);
        assertThat(draws(SeededRandom.of(seed, "unrot3", "heldout"))).isNotEqualTo(base);
        assertThat(draws(SeededRandom.of(seed + 1, "rot3", "heldout"))).isNotEqualTo(base);
        // the label path is not a concatenation: ("ab","c") and ("a","bc") differ
        assertThat(draws(SeededRandom.of(seed, "ab", "c"))).isNotEqualTo(draws(SeededRandom.of(seed, "a", "bc")));
    }

    @Property(tries = 30)
    void betweenStaysInRangeAndReachesBothEnds(@ForAll @IntRange(min = -5, max = 5) int lo,
                                               @ForAll @IntRange(min = 0, max = 6) int width) {
        SeededRandom r = SeededRandom.of(lo * 31L + width);
        int hi = lo + width;
        java.util.List<Integer> seen = IntStream.range(0, 2000).map(i -> r.between(lo, hi)).boxed().toList();
        assertThat(seen).allMatch(v -> v >= lo && v <= hi);
        assertThat(seen).contains(lo, hi);
    }

    @Test
    void nextIntIsRoughlyUniform() {
        SeededRandom r = SeededRandom.of(7, "uniform");
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) {
            counts[r.nextInt(10)]++;
        }
        // 10,000 expected per bucket, standard deviation ~95
        assertThat(IntStream.of(counts).boxed().toList()).allMatch(c -> Math.abs(c - 10_000) < 500);
    }

    @Test
    void nextDoubleIsInTheUnitInterval() {
        SeededRandom r = SeededRandom.of(3);
        double sum = 0;
        for (int i = 0; i < 10_000; i++) {
            double d = r.nextDouble();
            assertThat(d).isGreaterThanOrEqualTo(0).isLessThan(1);
            sum += d;
        }
        assertThat(sum / 10_000).isBetween(0.48, 0.52);
    }

    @Test
    void refusesEmptyRanges() {
        assertThatThrownBy(() -> SeededRandom.of(1).nextInt(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeededRandom.of(1).between(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] draws(SeededRandom r) {
        return IntStream.range(0, 8).mapToLong(i -> r.nextLong()).toArray();
    }
}
