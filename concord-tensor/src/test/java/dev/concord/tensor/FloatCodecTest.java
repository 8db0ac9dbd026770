package dev.concord.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The 16-bit conversions against a reference written from the definition of the formats: values decoded from
 * sign, exponent and significand; narrowing chooses the nearest representable value with exact decimal
 * arithmetic and breaks ties towards an even significand; overflow goes to infinity past the halfway point to
 * the next power of two.
 */
class FloatCodecTest {
    /** A binary floating-point format with a sign bit, {@code exponentBits} and {@code fractionBits}. */
    record Format(int exponentBits, int fractionBits) {
        static final Format BF16 = new Format(8, 7);
        static final Format F16 = new Format(5, 10);

        int bias() {
            return (1 << (exponentBits - 1)) - 1;
        }

        int infinityBits() {
            return ((1 << exponentBits) - 1) << fractionBits;
        }

        /**
         * The magnitude of a non-negative bit pattern, exact as a double (at most 11 significant bits). The
         * infinity pattern yields the power of two just past the largest finite value, which is what IEEE
         * rounding compares against before it overflows.
         */
        double magnitude(int bits) {
            int exponent = bits >>> fractionBits;
            int fraction = bits & ((1 << fractionBits) - 1);
            if (exponent == 0) {
                return Math.scalb((double) fraction, 1 - bias() - fractionBits);
            }
            return Math.scalb((double) ((1 << fractionBits) | fraction), exponent - bias() - fractionBits);
        }

        float decode(short bits) {
            int b = bits & 0xFFFF;
            int sign = b >>> (exponentBits + fractionBits);
            int magnitudeBits = b & ((1 << (exponentBits + fractionBits)) - 1);
            double v;
            if (magnitudeBits == infinityBits()) {
                v = Double.POSITIVE_INFINITY;
            } else if (magnitudeBits > infinityBits()) {
                v = Double.NaN;
            } else {
                v = magnitude(magnitudeBits);
            }
            return (float) (sign == 1 ? -v : v);
        }

        /**
         * Round to nearest, ties to even: a binary search over the ordered magnitudes finds the two neighbours,
         * then the value is compared with their midpoint. All of it is exact in double arithmetic: a double holds
         * every float, every 16-bit value, and the midpoint of two neighbours (one bit more than either).
         */
        int encode(float f) {
            int sign = Float.floatToRawIntBits(f) >>> 31 << (exponentBits + fractionBits);
            double x = Math.abs((double) f);
            int lo = 0;
            int hi = infinityBits();
            if (x >= magnitude(hi)) {
                return sign | hi;
            }
            while (hi - lo > 1) { // invariant: magnitude(lo) <= x < magnitude(hi)
                int mid = (lo + hi) >>> 1;
                if (magnitude(mid) <= x) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            double midpoint = (magnitude(lo) + magnitude(hi)) / 2;
            int cmp = Double.compare(x, midpoint);
            int chosen = cmp < 0 ? lo : cmp > 0 ? hi : ((lo & 1) == 0 ? lo : hi);
            return sign | chosen;
        }
    }

    @Test
    void everyBf16PatternWidensExactlyAndNarrowsBack() {
        for (int i = 0; i < 1 << 16; i++) {
            short bits = (short) i;
            float wide = FloatCodec.bf16ToFloat(bits);
            float expected = Format.BF16.decode(bits);
            if (Float.isNaN(expected)) {
                assertThat(wide).as("pattern %04x", i).isNaN();
                short back = FloatCodec.floatToBf16(wide);
                assertThat(Float.isNaN(FloatCodec.bf16ToFloat(back))).as("NaN %04x stays NaN", i).isTrue();
                assertThat(back & 0x8000).as("NaN %04x keeps its sign", i).isEqualTo(i & 0x8000);
            } else {
                assertThat(Float.floatToRawIntBits(wide)).as("pattern %04x", i)
                        .isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(FloatCodec.floatToBf16(wide)).as("pattern %04x", i).isEqualTo(bits);
            }
        }
    }

    @Test
    void everyF16PatternWidensExactlyAndNarrowsBack() {
        for (int i = 0; i < 1 << 16; i++) {
            short bits = (short) i;
            float wide = FloatCodec.f16ToFloat(bits);
            float expected = Format.F16.decode(bits);
            if (Float.isNaN(expected)) {
                assertThat(wide).as("pattern %04x", i).isNaN();
                short back = FloatCodec.floatToF16(wide);
                assertThat(Float.isNaN(FloatCodec.f16ToFloat(back))).as("NaN %04x stays NaN", i).isTrue();
                assertThat(back & 0x8000).as("NaN %04x keeps its sign", i).isEqualTo(i & 0x8000);
            } else {
                assertThat(Float.floatToRawIntBits(wide)).as("pattern %04x", i)
                        .isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(FloatCodec.floatToF16(wide)).as("pattern %04x", i).isEqualTo(bits);
            }
        }
    }

    /**
     * Each bf16 value followed by the float patterns that matter for rounding: just above it, just below the
     * halfway point, exactly halfway (the tie), just past halfway, and the last float before the next bf16.
     */
    @Test
    void floatToBf16RoundsToNearestEvenAroundEveryBf16Value() {
        int[] lowHalves = {0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF};
        for (int i = 0; i < 1 << 16; i++) {
            for (int low : lowHalves) {
                float f = Float.intBitsToFloat((i << 16) | low);
                if (Float.isNaN(f)) {
                    continue;
                }
                assertThat(FloatCodec.floatToBf16(f) & 0xFFFF).as("float bits %08x", Float.floatToRawIntBits(f))
                        .isEqualTo(Format.BF16.encode(f));
            }
        }
    }

    /** Halfway points between consecutive f16 values, and their float neighbours, for every f16 value. */
    @Test
    void floatToF16RoundsToNearestEvenAroundEveryF16Value() {
        for (int b = 0; b < Format.F16.infinityBits(); b++) {
            float mid = (float) ((Format.F16.magnitude(b) + Format.F16.magnitude(b + 1)) / 2); // exact: 12 bits
            for (float f : new float[] {mid, Math.nextDown(mid), Math.nextUp(mid), (float) Format.F16.magnitude(b)}) {
                for (float signed : new float[] {f, -f}) {
                    assertThat(FloatCodec.floatToF16(signed) & 0xFFFF)
                            .as("float %s (bits %08x)", signed, Float.floatToRawIntBits(signed))
                            .isEqualTo(Format.F16.encode(signed));
                }
            }
        }
    }

    /** The midpoint shortcut of the reference, checked once against exact decimal arithmetic. */
    @Test
    void referenceMidpointsAreExact() {
        for (Format fmt : new Format[] {Format.F16, Format.BF16}) {
            for (int b = 0; b < fmt.infinityBits(); b += 97) {
                BigDecimal lo = new BigDecimal(fmt.magnitude(b));
                BigDecimal hi = new BigDecimal(fmt.magnitude(b + 1));
                BigDecimal exactMid = lo.add(hi).divide(BigDecimal.TWO, MathContext.UNLIMITED);
                assertThat(new BigDecimal((fmt.magnitude(b) + fmt.magnitude(b + 1)) / 2)).isEqualByComparingTo(exactMid);
            }
        }
    }

    @Test
    void specialValuesNarrowAsExpected() {
        assertThat(FloatCodec.floatToBf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(FloatCodec.floatToBf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        assertThat(FloatCodec.floatToBf16(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(FloatCodec.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds past the largest bf16
        assertThat(FloatCodec.floatToF16(65520f)).isEqualTo((short) 0x7C00); // halfway to 2^16: ties up to infinity
        assertThat(FloatCodec.floatToF16(Math.nextDown(65520f))).isEqualTo((short) 0x7BFF);
        assertThat(FloatCodec.floatToF16(Float.MIN_VALUE)).isEqualTo((short) 0);
        assertThat(FloatCodec.floatToF16(0x1p-25f)).isEqualTo((short) 0); // tie between 0 and the least subnormal
        assertThat(FloatCodec.floatToF16(Math.nextUp(0x1p-25f))).isEqualTo((short) 1);
    }

    /** Uniformly random bit patterns: every exponent equally likely, unlike small generated integers. */
    @Provide
    Arbitrary<Integer> floatBits() {
        return Arbitraries.randomValue(Random::nextInt);
    }

    @Property(tries = 8000)
    void floatToBf16MatchesTheReference(@ForAll("floatBits") int bits) {
        float f = Float.intBitsToFloat(bits);
        if (Float.isNaN(f)) {
            assertThat(Float.isNaN(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(f)))).isTrue();
            return;
        }
        assertThat(FloatCodec.floatToBf16(f) & 0xFFFF).isEqualTo(Format.BF16.encode(f));
    }

    @Property(tries = 8000)
    void floatToF16MatchesTheReference(@ForAll("floatBits") int bits) {
        float f = Float.intBitsToFloat(bits);
        if (Float.isNaN(f)) {
            assertThat(Float.isNaN(FloatCodec.f16ToFloat(FloatCodec.floatToF16(f)))).isTrue();
            return;
        }
        assertThat(FloatCodec.floatToF16(f) & 0xFFFF).isEqualTo(Format.F16.encode(f));
    }
}
