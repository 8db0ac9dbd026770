package dev.concord.model.tokenizer;

import java.text.Normalizer.Form;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites text before it is split into words (tokenizer.json's {@code normalizer}). Hugging Face applies it to
 * each stretch of input between added tokens separately, and so does {@link AddedVocabulary}.
 */
@FunctionalInterface
interface Normalizer {

    String normalize(String text);

    static Normalizer fromJson(JsonConfig config) {
        String type = config.type();
        return switch (type) {
            case "Sequence" -> sequence(config.objects("normalizers").stream().map(Normalizer::fromJson).toList());
            case "Prepend" -> prepend(config.string("prepend"));
            case "Replace" -> replace(ReplacePattern.fromJson(config.object("pattern")), config.string("content"));
            case "NFC" -> unicodeForm(Form.NFC);
            case "NFD" -> unicodeForm(Form.NFD);
            case "NFKC" -> unicodeForm(Form.NFKC);
            case "NFKD" -> unicodeForm(Form.NFKD);
            case "Lowercase" -> Normalizer::lowercase;
            case "Strip" -> strip(config.bool("strip_left", true), config.bool("strip_right", true));
            default -> throw config.unsupported("normalizer type '" + type
                    + "' is not supported (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase,"
                    + " Strip)");
        };
    }

    static Normalizer sequence(List<Normalizer> steps) {
        return text -> {
            String result = text;
            for (Normalizer step : steps) {
                result = step.normalize(result);
            }
            return result;
        };
    }

    /** Puts {@code prefix} in front of any non-empty text. */
    static Normalizer prepend(String prefix) {
        return text -> text.isEmpty() ? text : prefix + text;
    }

    static Normalizer replace(OnigRegex pattern, String content) {
        return text -> pattern.replaceAll(text, content);
    }

    static Normalizer unicodeForm(Form form) {
        return text -> java.text.Normalizer.normalize(text, form);
    }

    /**
     * Lower-cases one code point at a time, as Rust's {@code char::to_lowercase} does: no context rules (a final
     * capital sigma becomes σ, not ς), but full mappings that may lengthen the text.
     */
    static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp < 128) {
                out.append((char) Character.toLowerCase(cp));
            } else {
                out.append(text.substring(i, i + width).toLowerCase(Locale.ROOT));
            }
            i += width;
        }
        return out.toString();
    }

    /** Trims Unicode whitespace on the chosen sides. */
    static Normalizer strip(boolean left, boolean right) {
        return text -> {
            int start = 0;
            int end = text.length();
            if (left) {
                while (start < end && WhiteSpace.test(text.codePointAt(start))) {
                    start += Character.charCount(text.codePointAt(start));
                }
            }
            if (right) {
                while (end > start && WhiteSpace.test(text.codePointBefore(end))) {
                    end -= Character.charCount(text.codePointBefore(end));
                }
            }
            return text.substring(start, end);
        };
    }
}
