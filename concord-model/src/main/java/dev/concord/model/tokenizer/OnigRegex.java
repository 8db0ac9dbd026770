package dev.concord.model.tokenizer;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Compiles the Oniguruma regular expressions of tokenizer.json files (Hugging Face runs them with Oniguruma) into
 * {@link java.util.regex.Pattern}s that match the same text.
 *
 * <p>The two dialects agree on everything the Llama/Qwen/Mistral patterns use ({@code \p{L}}, {@code \p{N}},
 * look-ahead, {@code (?i:…)}) once Java is told that {@code \s}, {@code \w} and case folding are Unicode-wide, as
 * they are in Oniguruma with UTF-8. What differs in spelling is rewritten: {@code \h} (a hex digit in Oniguruma, a
 * horizontal space in Java) and POSIX brackets such as {@code [[:alpha:]]}, which Java would read as a set of letters.
 */
final class OnigRegex {
    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\p{Space}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("word", "\\w"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("blank", "\\p{Blank}"));

    private static final java.util.Set<String> GAP_CATEGORIES = java.util.Set.of("L", "Lu", "Ll", "Lt", "Lm", "Lo",
            "N", "Nd", "Nl", "No", "Letter", "Number");
    private static final String GAP = UnicodeVersionGap.characterClassBody();

    private OnigRegex() {
    }

    /** Compiles {@code onigPattern}; a pattern Java cannot read is reported against {@code config}. */
    static Pattern compile(String onigPattern, JsonConfig config) {
        try {
            return Pattern.compile(translate(onigPattern), Pattern.UNICODE_CHARACTER_CLASS);
        } catch (IllegalArgumentException e) {
            throw config.invalid("regular expression /" + onigPattern + "/ cannot be compiled: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Compiles a pattern written in this code base, which is known to be valid. */
    static Pattern compileTrusted(String onigPattern) {
        return Pattern.compile(translate(onigPattern), Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** A pattern matching exactly {@code literal}, as Hugging Face escapes String patterns into a regex. */
    static Pattern literal(String literal) {
        return Pattern.compile(Pattern.quote(literal));
    }

    /**
     * A Unicode property; letter and number categories leave out what Unicode added after Oniguruma's tables
     * (see {@link UnicodeVersionGap}). Written as a nested class, which is valid inside and outside brackets.
     */
    private static String property(boolean negated, String name) {
        String java = "\\" + (negated ? "P" : "p") + "{" + name + "}";
        if (!GAP_CATEGORIES.contains(name)) {
            return java;
        }
        return negated ? "[" + java + GAP + "]" : "[" + java + "&&[^" + GAP + "]]";
    }

    static String translate(String onig) {
        StringBuilder out = new StringBuilder(onig.length() + 16);
        int classDepth = 0;
        for (int i = 0; i < onig.length(); i++) {
            char c = onig.charAt(i);
            if (c == '\\' && i + 1 < onig.length()) {
                char next = onig.charAt(i + 1);
                if ((next == 'p' || next == 'P') && i + 2 < onig.length()) {
                    int nameEnd = onig.charAt(i + 2) == '{' ? onig.indexOf('}', i + 3) : i + 2;
                    if (nameEnd > 0) {
                        String name = onig.charAt(i + 2) == '{' ? onig.substring(i + 3, nameEnd)
                                : onig.substring(i + 2, i + 3);
                        out.append(property(next == 'P', name));
                        i = nameEnd;
                        continue;
                    }
                }
                if (next == 'h') {
                    out.append(classDepth > 0 ? "0-9a-fA-F" : "[0-9a-fA-F]");
                } else if (next == 'H' && classDepth == 0) {
                    out.append("[^0-9a-fA-F]");
                } else {
                    out.append(c).append(next);
                }
                i++;
            } else if (c == '[' && classDepth > 0 && onig.startsWith("[:", i)) {
                int close = onig.indexOf(":]", i + 2);
                String name = close < 0 ? null : onig.substring(i + 2, close);
                boolean negated = name != null && name.startsWith("^");
                String replacement = name == null ? null : POSIX_CLASSES.get(negated ? name.substring(1) : name);
                if (replacement == null) {
                    out.append(c);
                    classDepth++;
                } else {
                    out.append(negated ? "[^" + replacement + "]" : replacement);
                    i = close + 1;
                }
            } else {
                if (c == '[') {
                    classDepth++;
                } else if (c == ']' && classDepth > 0) {
                    classDepth--;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
