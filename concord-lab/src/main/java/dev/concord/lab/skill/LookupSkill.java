package dev.concord.lab.skill;

import dev.concord.error.InvalidInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code lookup}: the value of a key in an inline table ({@code a:2;b:7;c:4?b} → {@code 7}). Keys are distinct
 * letters, values distinct digits, so every entry is four characters wide and every answer one character.
 */
public final class LookupSkill implements Skill {
    /** Table sizes of standard and long inputs. */
    static final int MIN_ENTRIES = 3, MAX_ENTRIES = 5, LONG_MIN_ENTRIES = 7, LONG_MAX_ENTRIES = 9;

    /** Three times the weight of the string skills: short examples, and finding a key takes many to learn. */
    @Override
    public int pretrainingWeight() {
        return 3;
    }

    @Override
    public String name() {
        return "lookup";
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        int n = length == InputLength.LONG ? random.between(LONG_MIN_ENTRIES, LONG_MAX_ENTRIES)
                : random.between(MIN_ENTRIES, MAX_ENTRIES);
        List<Character> keys = new ArrayList<>(n);
        List<Integer> values = new ArrayList<>(n);
        while (keys.size() < n) {
            char key = random.letter();
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        while (values.size() < n) {
            int value = random.nextInt(10);
            if (!values.contains(value)) {
                values.add(value);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(';');
            }
            sb.append(keys.get(i)).append(':').append(values.get(i));
        }
        return sb.append('?').append(keys.get(random.nextInt(n))).toString();
    }

    @Override
    public String answer(String input) {
        return neighbourValue(input, 0);
    }

    /** The value {@code offset} entries after the queried key's entry, wrapping around the table. */
    private static String neighbourValue(String input, int offset) {
        int q = input.lastIndexOf('?');
        if (q < 0) {
            throw new InvalidInputException("lookup: input '" + input + "' has no '?key' query");
        }
        String key = input.substring(q + 1);
        String[] entries = input.substring(0, q).split(";", -1);
        for (int i = 0; i < entries.length; i++) {
            int colon = entries[i].indexOf(':');
            if (colon < 0) {
                throw new InvalidInputException("lookup: entry '" + entries[i] + "' of '" + input + "' is not key:value");
            }
            if (entries[i].substring(0, colon).equals(key)) {
                String target = entries[Math.floorMod(i + offset, entries.length)];
                return target.substring(target.indexOf(':') + 1);
            }
        }
        throw new InvalidInputException("lookup: key '" + key + "' is not in the table of '" + input + "'");
    }

    /** The right value at 0.10; the next or the previous entry's value (wrapping) at 0.45 each. */
    @Override
    public OperationFamily pretrainingFamily() {
        return new OperationFamily(List.of(
                new OperationFamily.Member("value", 0.10, true, this::answer),
                new OperationFamily.Member("next-value", 0.45, false, s -> neighbourValue(s, 1)),
                new OperationFamily.Member("previous-value", 0.45, false, s -> neighbourValue(s, -1))));
    }
}
