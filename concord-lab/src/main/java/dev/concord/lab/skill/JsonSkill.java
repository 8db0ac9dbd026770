package dev.concord.lab.skill;

import dev.concord.error.InvalidInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code json}: comma-separated {@code key=value} pairs as a compact JSON object, numbers bare and words quoted
 * ({@code a=1,bc=xy} → {@code {"a":1,"bc":"xy"}}). Keys are 1–2 distinct lowercase letters; values are integers
 * 0–99 or words of 1–4 letters, so nothing ever needs escaping.
 */
public final class JsonSkill implements Skill {
    /** Pair counts of standard and long inputs. */
    static final int MIN_PAIRS = 1, MAX_PAIRS = 3, LONG_MIN_PAIRS = 4, LONG_MAX_PAIRS = 5;

    /** How the pretraining family spells an object; only {@link #COMPACT} is the skill's answer. */
    enum Style {
        COMPACT, SPACED, SINGLE_QUOTED, BARE_KEYS, EQUALS
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        int n = length == InputLength.LONG ? random.between(LONG_MIN_PAIRS, LONG_MAX_PAIRS)
                : random.between(MIN_PAIRS, MAX_PAIRS);
        List<String> keys = new ArrayList<>(n);
        while (keys.size() < n) {
            String key = word(random, 1, 2);
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String key : keys) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(key).append('=');
            sb.append(random.nextDouble() < 0.5 ? Integer.toString(random.nextInt(100)) : word(random, 1, 4));
        }
        return sb.toString();
    }

    private static String word(SeededRandom random, int min, int max) {
        int n = random.between(min, max);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(random.letter());
        }
        return sb.toString();
    }

    @Override
    public String answer(String input) {
        return render(input, Style.COMPACT);
    }

    static String render(String input, Style style) {
        String q = style == Style.SINGLE_QUOTED ? "'" : "\"";
        String keyQuote = style == Style.BARE_KEYS ? "" : q;
        String colon = switch (style) {
            case SPACED -> ": ";
            case EQUALS -> "=";
            default -> ":";
        };
        String comma = style == Style.SPACED ? ", " : ",";
        StringBuilder sb = new StringBuilder("{");
        for (String pair : input.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("json: input '" + input + "' is not comma-separated key=value pairs");
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (sb.length() > 1) {
                sb.append(comma);
            }
            sb.append(keyQuote).append(key).append(keyQuote).append(colon);
            boolean number = !value.isEmpty() && value.chars().allMatch(Character::isDigit);
            sb.append(number ? value : q + value + q);
        }
        return sb.append('}').toString();
    }

    /**
     * The compact spelling at 0.10; near-misses: with spaces 0.45, single quotes, bare keys and '=' 0.15 each. The
     * spaced spelling dominates so that where it and the compact one part (right after the first colon) a base
     * model decoding greedily follows it by a wide margin.
     */
    @Override
    public OperationFamily pretrainingFamily() {
        List<OperationFamily.Member> members = new ArrayList<>();
        for (Style style : Style.values()) {
            double weight = switch (style) {
                case COMPACT -> 0.10;
                case SPACED -> 0.45;
                default -> 0.15;
            };
            members.add(new OperationFamily.Member(style.name().toLowerCase(java.util.Locale.ROOT), weight,
                    style == Style.COMPACT, s -> render(s, style)));
        }
        return new OperationFamily(members);
    }
}
