package dev.concord.adapter;

import dev.concord.error.InvalidInputException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the regular expressions PEFT users write for Python's {@code re} module (target_modules strings,
 * rank/alpha pattern keys, layers_pattern) with {@link java.util.regex}. The two dialects agree on everything these
 * patterns use in practice; the spellings that differ are rewritten: named groups {@code (?P<name>…)}, named
 * back-references {@code (?P=name)} and the end-of-string anchor {@code \Z}.
 */
final class PythonRegex {
    private PythonRegex() {}

    static Pattern compile(String pythonRegex, String where) {
        try {
            return Pattern.compile(toJava(pythonRegex));
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException(where + ": " + ConfigReader.quoted(pythonRegex)
                    + " is not a valid regular expression (" + e.getDescription() + ")");
        }
    }

    static String toJava(String python) {
        StringBuilder out = new StringBuilder(python.length());
        for (int i = 0; i < python.length(); i++) {
            char c = python.charAt(i);
            if (c == '\\' && i + 1 < python.length()) {
                char next = python.charAt(i + 1);
                // Python's \Z is "end of string"; Java's \Z also allows a final line terminator, its \z does not.
                out.append(next == 'Z' ? "\\z" : "\\" + next);
                i++;
            } else if (python.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
            } else if (python.startsWith("(?P=", i)) {
                int close = python.indexOf(')', i);
                if (close < 0) {
                    out.append(python, i, python.length());
                    break;
                }
                out.append("\\k<").append(python, i + 4, close).append('>');
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
