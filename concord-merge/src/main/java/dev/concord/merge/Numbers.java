package dev.concord.merge;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * The one spelling of numbers Concord accepts from users and prints back: plain decimals with an optional
 * exponent (no NaN, Infinity, hex floats or underscores), printed in their shortest round-trip form.
 */
public final class Numbers {
    /** {@code -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?}: the form of a weight after {@code PATH:}. */
    public static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

    private Numbers() {}

    public static boolean isPlainNumber(String s) {
        return PLAIN_NUMBER.matcher(s).matches();
    }

    /** Shortest decimal that reads back as the same double, without a trailing ".0" for whole numbers. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toString();
    }
}
