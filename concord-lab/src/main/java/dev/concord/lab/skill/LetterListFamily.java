package dev.concord.lab.skill;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What {@code sort}, {@code dedup} and {@code reverse} share: their inputs (short strings over a small random
 * alphabet, so that letters repeat) and one family of confusable list operations. The three skills pretrain on the
 * same family, so the base cannot tell them apart and each adapter selects its own member; sort and dedup also
 * share the primitive "sorted and deduplicated", which makes them the pair that shares primitives.
 */
final class LetterListFamily {
    private LetterListFamily() {}

    /** Lengths of standard and long inputs. */
    static final int MIN = 3, MAX = 8, LONG_MIN = 11, LONG_MAX = 14;
    /** Letters are drawn from this many distinct letters, so that repeats are common. */
    static final int ALPHABET = 8;

    /** A string over a random {@value #ALPHABET}-letter alphabet with at least one repeated letter. */
    static String lettersWithRepeat(SeededRandom random, InputLength length) {
        List<Character> pool = new ArrayList<>();
        for (char c = 'a'; c <= 'z'; c++) {
            pool.add(c);
        }
        // partial Fisher-Yates: the first ALPHABET entries become a uniform random sample
        for (int i = 0; i < ALPHABET; i++) {
            int j = i + random.nextInt(pool.size() - i);
            pool.set(i, pool.set(j, pool.get(i)));
        }
        int n = length == InputLength.LONG ? random.between(LONG_MIN, LONG_MAX) : random.between(MIN, MAX);
        while (true) {
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append(pool.get(random.nextInt(ALPHABET)));
            }
            String s = sb.toString();
            if (dedup(s).length() < s.length()) {
                return s;
            }
        }
    }

    static String sort(String s) {
        char[] c = s.toCharArray();
        java.util.Arrays.sort(c);
        return new String(c);
    }

    static String sortDescending(String s) {
        return reverse(sort(s));
    }

    static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    /** Keeps the first occurrence of every letter, in order. */
    static String dedup(String s) {
        LinkedHashSet<Character> seen = new LinkedHashSet<>();
        for (char c : s.toCharArray()) {
            seen.add(c);
        }
        StringBuilder sb = new StringBuilder(seen.size());
        seen.forEach(sb::append);
        return sb.toString();
    }

    static String rotateLeft(String s) {
        return s.isEmpty() ? s : s.substring(1) + s.charAt(0);
    }

    static String sortedUnique(String s) {
        return sort(dedup(s));
    }

    /** The shared family with {@code correct} (one of sort, dedup, reverse) marked as the skill's operation. */
    static OperationFamily family(String correct) {
        return new OperationFamily(List.of(
                member("identity", 0.30, correct, s -> s),
                member("sort-descending", 0.15, correct, LetterListFamily::sortDescending),
                member("rotate-left", 0.15, correct, LetterListFamily::rotateLeft),
                member("sort", 0.10, correct, LetterListFamily::sort),
                member("dedup", 0.10, correct, LetterListFamily::dedup),
                member("reverse", 0.10, correct, LetterListFamily::reverse),
                member("sorted-unique", 0.10, correct, LetterListFamily::sortedUnique)));
    }

    private static OperationFamily.Member member(String name, double weight, String correct,
                                                 java.util.function.UnaryOperator<String> op) {
        return new OperationFamily.Member(name, weight, name.equals(correct), op);
    }
}
