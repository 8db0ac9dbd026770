package dev.concord.model.tokenizer;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Oniguruma regular expression from a tokenizer.json (Hugging Face runs them with Oniguruma), compiled into
 * {@link java.util.regex.Pattern}s that match the same text.
 *
 * <p>The two dialects agree on everything the Llama/Qwen/Mistral patterns use ({@code \p{L}}, {@code \p{N}},
 * look-ahead, {@code (?i:…)}) once Java is told that {@code \s}, {@code \w} and case folding are Unicode-wide, as
 * they are in Oniguruma with UTF-8. What differs in spelling is rewritten: {@code \h} (a hex digit in Oniguruma, a
 * horizontal space in Java) and POSIX brackets such as {@code [[:alpha:]]}, which Java would read as a set of letters.
 *
 * <p>What differs in substance is the Unicode version (see {@link UnicodeVersionGap}). A second compilation removes
 * the newer letters and numbers from {@code \p{L}}, {@code \p{N}} and their subcategories; it is several times
 * slower, so it only runs on texts that contain such a character, which leaves ordinary text on the fast one.
 */
final class OnigRegex {
    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\p{Space}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("word", "\\w"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("blank", "\\p{Blank}"));
    private static final Set<String> GAP_CATEGORIES = Set.of("L", "Lu", "Ll", "Lt", "Lm", "Lo", "N", "Nd", "Nl",
            "No", "Letter", "Number");
    private static final String GAP = UnicodeVersionGap.characterClassBody();

    private final Pattern plain;
    /** The same expression without the letters and numbers Oniguruma does not know; null if none is involved. */
    private final Pattern versionExact;

    private OnigRegex(Pattern plain, Pattern versionExact) {
        this.plain = plain;
        this.versionExact = versionExact;
    }

    /** Compiles {@code onigPattern}; a pattern Java cannot read is reported against {@code config}. */
    static OnigRegex compile(String onigPattern, JsonConfig config) {
        try {
            return compileTrusted(onigPattern);
        } catch (IllegalArgumentException e) {
            throw config.invalid("regular expression /" + onigPattern + "/ cannot be compiled: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Compiles a pattern written in this code base, which is known to be valid. */
    static OnigRegex compileTrusted(String onigPattern) {
        String plain = translate(onigPattern, false);
        String exact = translate(onigPattern, true);
        return new OnigRegex(Pattern.compile(plain, Pattern.UNICODE_CHARACTER_CLASS),
                exact.equals(plain) ? null : Pattern.compile(exact, Pattern.UNICODE_CHARACTER_CLASS));
    }

    /** A pattern matching exactly {@code literal}, as Hugging Face escapes String patterns into a regex. */
    static OnigRegex literal(String literal) {
        return new OnigRegex(Pattern.compile(Pattern.quote(literal)), null);
    }

    /** A matcher over {@code text} that matches as Oniguruma would. */
    Matcher matcher(CharSequence text) {
        return versionExact != null && UnicodeVersionGap.occursIn(text) ? versionExact.matcher(text)
                : plain.matcher(text);
    }

    /** Replaces every match, as Hugging Face's Replace does. */
    String replaceAll(String text, String content) {
        return matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }

    /**
     * A Unicode property; with {@code versionExact}, letter and number categories leave out what Unicode added
     * after Oniguruma's tables. Written as a nested class, which is valid inside and outside brackets.
     */
    private static String property(boolean negated, String name, boolean versionExact) {
        String java = "\\" + (negated ? "P" : "p") + "{" + name + "}";
        if (!versionExact || !GAP_CATEGORIES.contains(name)) {
            return java;
        }
        return negated ? "[" + java + GAP + "]" : "[" + java + "&&[^" + GAP + "]]";
    }

    static String translate(String onig, boolean versionExact) {
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
                        out.append(property(next == 'P', name, versionExact));
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
