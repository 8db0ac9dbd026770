package dev.concord.lab.skill;

import java.util.List;

/**
 * {@code rot3} and {@code unrot3}: every letter shifted by +3 or −3 around the alphabet, spaces kept
 * ({@code abc xyz} → {@code def abc} for rot3). The two are built to conflict: they pretrain on one shared family
 * of shifts (so the base cannot tell them apart) and their adapters must push the same prompts in opposite
 * directions.
 */
public final class CaesarSkill implements Skill {
    /** Total input lengths (letters and spaces) of standard and long inputs. */
    static final int MIN = 3, MAX = 12, LONG_MIN = 16, LONG_MAX = 24;

    private final String name;
    private final int shift;

    private CaesarSkill(String name, int shift) {
        this.name = name;
        this.shift = shift;
    }

    public static CaesarSkill rot3() {
        return new CaesarSkill("rot3", 3);
    }

    public static CaesarSkill unrot3() {
        return new CaesarSkill("unrot3", -3);
    }

    @Override
    public String name() {
        return name;
    }

    /** Lowercase words of 1 to 5 letters separated by single spaces, cut to a total length drawn from the range. */
    @Override
    public String input(SeededRandom random, InputLength length) {
        int target = length == InputLength.LONG ? random.between(LONG_MIN, LONG_MAX) : random.between(MIN, MAX);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < target) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            int n = random.between(1, 5);
            for (int i = 0; i < n; i++) {
                sb.append(random.letter());
            }
        }
        sb.setLength(target);
        // a cut right after a separator would leave a trailing space; replace it with a letter so the length holds
        if (sb.charAt(target - 1) == ' ') {
            sb.setCharAt(target - 1, random.letter());
        }
        return sb.toString();
    }

    @Override
    public String answer(String input) {
        return shifted(input, shift);
    }

    /** Letters shifted by {@code k} modulo 26; every other character unchanged. */
    static String shifted(String text, int k) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c >= 'a' && c <= 'z' ? (char) ('a' + Math.floorMod(c - 'a' + k, 26)) : c);
        }
        return sb.toString();
    }

    /**
     * Shifts by 0 (a copy: the most likely), ±1, ±2 and ±3. Both tags share it; only the marked member differs.
     */
    @Override
    public OperationFamily pretrainingFamily() {
        return new OperationFamily(List.of(
                member("copy", 0.30, 0), member("shift+1", 0.15, 1), member("shift-1", 0.15, -1),
                member("shift+2", 0.10, 2), member("shift-2", 0.10, -2), member("shift+3", 0.10, 3),
                member("shift-3", 0.10, -3)));
    }

    private OperationFamily.Member member(String name, double weight, int k) {
        return new OperationFamily.Member(name, weight, k == shift, s -> shifted(s, k));
    }
}
