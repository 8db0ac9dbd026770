package dev.concord.model.tokenizer;

/**
 * UTF-8 decoding with Rust's rules, since decoded text must equal Hugging Face's: {@link #decode} replaces each
 * maximal invalid subsequence by one U+FFFD (as {@code String::from_utf8_lossy}), {@link #decodeStrict} rejects any
 * invalid input (as {@code String::from_utf8}).
 */
final class LossyUtf8 {
    private LossyUtf8() {
    }

    static String decode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int length = validSequenceLength(bytes, i);
            if (length > 0) {
                appendCodePoint(bytes, i, length, out);
                i += length;
            } else {
                out.append('\uFFFD');
                i += -length;
            }
        }
        return out.toString();
    }

    /** The text, or null if {@code bytes} is not valid UTF-8. */
    static String decodeStrict(byte[] bytes) {
        for (int i = 0; i < bytes.length; ) {
            int length = validSequenceLength(bytes, i);
            if (length <= 0) {
                return null;
            }
            i += length;
        }
        return decode(bytes);
    }

    /**
     * The length of the valid sequence starting at {@code i}; if there is none, minus the length of the maximal
     * prefix of one (at least one byte), which is what a single replacement character stands for.
     */
    private static int validSequenceLength(byte[] bytes, int i) {
        int b0 = bytes[i] & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        int width;
        int secondLow = 0x80;
        int secondHigh = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            width = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            width = 3;
            if (b0 == 0xE0) {
                secondLow = 0xA0;
            } else if (b0 == 0xED) {
                secondHigh = 0x9F;
            }
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            width = 4;
            if (b0 == 0xF0) {
                secondLow = 0x90;
            } else if (b0 == 0xF4) {
                secondHigh = 0x8F;
            }
        } else {
            return -1;
        }
        for (int k = 1; k < width; k++) {
            if (i + k >= bytes.length) {
                return -k;
            }
            int b = bytes[i + k] & 0xFF;
            int low = k == 1 ? secondLow : 0x80;
            int high = k == 1 ? secondHigh : 0xBF;
            if (b < low || b > high) {
                return -k;
            }
        }
        return width;
    }

    private static void appendCodePoint(byte[] bytes, int i, int length, StringBuilder out) {
        int b0 = bytes[i] & 0xFF;
        int cp = switch (length) {
            case 1 -> b0;
            case 2 -> ((b0 & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
            case 3 -> ((b0 & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
            default -> ((b0 & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6)
                    | (bytes[i + 3] & 0x3F);
        };
        out.appendCodePoint(cp);
    }
}
