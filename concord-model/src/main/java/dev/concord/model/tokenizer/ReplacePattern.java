package dev.concord.model.tokenizer;

/**
 * Reads the {@code {"String": …}} / {@code {"Regex": …}} objects that Replace and Split use.
 * An empty String pattern matches nothing, as in Hugging Face.
 */
final class ReplacePattern {
    private static final OnigRegex NEVER = OnigRegex.compileTrusted("(?!)");

    private ReplacePattern() {
    }

    static OnigRegex fromJson(JsonConfig pattern) {
        if (pattern.has("String")) {
            String literal = pattern.string("String");
            return literal.isEmpty() ? NEVER : OnigRegex.literal(literal);
        }
        if (pattern.has("Regex")) {
            return OnigRegex.compile(pattern.string("Regex"), pattern);
        }
        throw pattern.invalid("a pattern must be {\"String\": …} or {\"Regex\": …}");
    }

    /** The same object as a {@link SplitPattern}. */
    static SplitPattern splitPatternFromJson(JsonConfig pattern) {
        if (pattern.has("String")) {
            return SplitPattern.literal(pattern.string("String"));
        }
        return SplitPattern.regex(fromJson(pattern));
    }
}
