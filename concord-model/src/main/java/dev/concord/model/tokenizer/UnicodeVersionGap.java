package dev.concord.model.tokenizer;

/**
 * Letters and numbers that Java knows but Hugging Face's regex engine does not. Hugging Face runs tokenizer.json
 * patterns with Oniguruma, whose tables are Unicode 14.0; Java 25 has Unicode 16.0. The letters and numbers that
 * Unicode 15.0, 15.1 and 16.0 added (new scripts such as Kawi, Garay or Tulu-Tigalari, CJK extensions H and I, …)
 * therefore match {@code \p{L}} or {@code \p{N}} in Java but not in Hugging Face, which would split text containing
 * them differently. {@link OnigRegex} removes these ranges from those properties.
 *
 * <p>The ranges were checked against Hugging Face's tokenizers (0.21) code point by code point over all of Unicode.
 */
final class UnicodeVersionGap {
    private static final int[][] RANGES = {
            {0x1C89, 0x1C8A}, {0xA7CB, 0xA7CD}, {0xA7DA, 0xA7DC}, {0x105C0, 0x105F3}, {0x10D40, 0x10D65},
            {0x10D6F, 0x10D85}, {0x10EC2, 0x10EC4}, {0x1123F, 0x11240}, {0x11380, 0x11389}, {0x1138B, 0x1138B},
            {0x1138E, 0x1138E}, {0x11390, 0x113B5}, {0x113B7, 0x113B7}, {0x113D1, 0x113D1}, {0x113D3, 0x113D3},
            {0x116D0, 0x116E3}, {0x11BC0, 0x11BE0}, {0x11BF0, 0x11BF9}, {0x11F02, 0x11F02}, {0x11F04, 0x11F10},
            {0x11F12, 0x11F33}, {0x11F50, 0x11F59}, {0x1342F, 0x1342F}, {0x13441, 0x13446}, {0x13460, 0x143FA},
            {0x16100, 0x1611D}, {0x16130, 0x16139}, {0x16D40, 0x16D6C}, {0x16D70, 0x16D79}, {0x18CFF, 0x18CFF},
            {0x1B132, 0x1B132}, {0x1B155, 0x1B155}, {0x1CCF0, 0x1CCF9}, {0x1D2C0, 0x1D2D3}, {0x1DF25, 0x1DF2A},
            {0x1E030, 0x1E06D}, {0x1E4D0, 0x1E4EB}, {0x1E4F0, 0x1E4F9}, {0x1E5D0, 0x1E5ED}, {0x1E5F0, 0x1E5FA},
            {0x2B739, 0x2B739}, {0x2EBF0, 0x2EE5D}, {0x31350, 0x323AF},
    };

    private UnicodeVersionGap() {
    }

    /** The ranges as the body of a Java character class, e.g. {@code \x{1C89}-\x{1C8A}…}. */
    static String characterClassBody() {
        StringBuilder body = new StringBuilder();
        for (int[] range : RANGES) {
            body.append(String.format("\\x{%X}", range[0]));
            if (range[1] != range[0]) {
                body.append(String.format("-\\x{%X}", range[1]));
            }
        }
        return body.toString();
    }

    /**
     * Whether {@code text} contains a character of the ranges. Cheap for ordinary text: every character below
     * U+1C89 is passed over with one comparison.
     */
    static boolean occursIn(CharSequence text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x1C89) {
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(++i));
            }
            if (contains(cp)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(int cp) {
        int low = 0;
        int high = RANGES.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (cp < RANGES[middle][0]) {
                high = middle - 1;
            } else if (cp > RANGES[middle][1]) {
                low = middle + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
