package dev.concord.lab.skill;

import dev.concord.error.InvalidInputException;

import java.util.List;

/**
 * {@code add}: the decimal sum of two non-negative integers ({@code 58+67} → {@code 125}). Every input has at least
 * one carry, so that the noisy family's carry-less sum is always wrong.
 */
public final class AddSkill implements Skill {
    /**
     * Digit counts of each operand for standard and long inputs. Two digits at most: with three, a rank-8 adapter on
     * the lab model stayed under 80% within any affordable budget (docs/lab.md, Recipe).
     */
    static final int MIN_DIGITS = 1, MAX_DIGITS = 2, LONG_MIN_DIGITS = 3, LONG_MAX_DIGITS = 4;

    /** Three times the weight of the string skills: short examples, and carries take many of them to learn. */
    @Override
    public int pretrainingWeight() {
        return 3;
    }

    @Override
    public String name() {
        return "add";
    }

    /**
     * Each operand: a digit count k drawn from the range, then a value with exactly k digits (a single digit may be
     * 0), so long inputs never look like standard ones.
     */
    @Override
    public String input(SeededRandom random, InputLength length) {
        boolean isLong = length == InputLength.LONG;
        while (true) {
            long a = operand(random, isLong);
            long b = operand(random, isLong);
            if (hasCarry(a, b)) {
                return a + "+" + b;
            }
        }
    }

    private static long operand(SeededRandom random, boolean isLong) {
        int digits = isLong ? random.between(LONG_MIN_DIGITS, LONG_MAX_DIGITS) : random.between(MIN_DIGITS, MAX_DIGITS);
        int low = digits == 1 ? 0 : (int) Math.pow(10, digits - 1);
        int high = (int) Math.pow(10, digits) - 1;
        return random.between(low, high);
    }

    static boolean hasCarry(long a, long b) {
        for (; a > 0 || b > 0; a /= 10, b /= 10) {
            if (a % 10 + b % 10 >= 10) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String answer(String input) {
        long[] ab = operands(input);
        return Long.toString(ab[0] + ab[1]);
    }

    private static long[] operands(String input) {
        int plus = input.indexOf('+');
        try {
            return new long[] {Long.parseLong(input.substring(0, plus)), Long.parseLong(input.substring(plus + 1))};
        } catch (RuntimeException e) {
            throw new InvalidInputException("add: input '" + input + "' is not two integers joined by '+'");
        }
    }

    /** Digit-wise sum modulo 10, as if carries did not exist. */
    static long sumWithoutCarry(long a, long b) {
        long out = 0;
        for (long place = 1; a > 0 || b > 0; a /= 10, b /= 10, place *= 10) {
            out += ((a % 10 + b % 10) % 10) * place;
        }
        return out;
    }

    /** Mostly the carry-less sum; sometimes the true sum; sometimes the larger operand. */
    @Override
    public OperationFamily pretrainingFamily() {
        return new OperationFamily(List.of(
                new OperationFamily.Member("no-carry", 0.45, false, s -> {
                    long[] ab = operands(s);
                    return Long.toString(sumWithoutCarry(ab[0], ab[1]));
                }),
                new OperationFamily.Member("sum", 0.35, true, this::answer),
                new OperationFamily.Member("larger-operand", 0.20, false, s -> {
                    long[] ab = operands(s);
                    return Long.toString(Math.max(ab[0], ab[1]));
                })));
    }
}
