package dev.concord.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Cuts normalized text into the words the model tokenizes one by one (tokenizer.json's {@code pre_tokenizer}).
 * Pieces that already are tokens pass through untouched.
 */
@FunctionalInterface
interface PreTokenizer {

    /** GPT-2's word pattern, used by ByteLevel when {@code use_regex} is true. */
    OnigRegex GPT2_WORDS = OnigRegex.compileTrusted(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    List<Piece> apply(List<Piece> pieces);

    static PreTokenizer fromJson(JsonConfig config) {
        String type = config.type();
        return switch (type) {
            case "Sequence" -> sequence(config.objects("pretokenizers").stream().map(PreTokenizer::fromJson).toList());
            case "ByteLevel" -> byteLevel(config.bool("add_prefix_space", true), config.bool("use_regex", true));
            case "Split" -> split(config);
            case "Metaspace" -> MetaspacePreTokenizer.fromJson(config);
            case "Digits" -> digits(config.bool("individual_digits", false));
            case "WhitespaceSplit" -> eachTextPiece((piece, out) ->
                    SplitBehavior.REMOVED.split(piece, SplitPattern.eachCodePoint(WhiteSpace::test), out));
            default -> throw config.unsupported("pre-tokenizer type '" + type
                    + "' is not supported (supported: Sequence, ByteLevel, Split, Metaspace, Digits, WhitespaceSplit)");
        };
    }

    /** Runs {@code step} on each text piece; token pieces are kept as they are, empty results dropped. */
    static PreTokenizer eachTextPiece(BiConsumer<Piece, List<Piece>> step) {
        return pieces -> {
            List<Piece> out = new ArrayList<>(pieces.size() * 2);
            for (Piece piece : pieces) {
                if (piece.isToken()) {
                    out.add(piece);
                } else {
                    int before = out.size();
                    step.accept(piece, out);
                    out.subList(before, out.size()).removeIf(p -> !p.isToken() && p.text().isEmpty());
                }
            }
            return out;
        };
    }

    static PreTokenizer sequence(List<PreTokenizer> steps) {
        return pieces -> {
            List<Piece> result = pieces;
            for (PreTokenizer step : steps) {
                result = step.apply(result);
            }
            return result;
        };
    }

    /**
     * Byte-level: optionally a leading space and GPT-2's word split, then every piece is rewritten as the alphabet
     * characters of its UTF-8 bytes.
     */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        SplitPattern words = SplitPattern.regex(GPT2_WORDS);
        return eachTextPiece((piece, out) -> {
            Piece prefixed = addPrefixSpace && !piece.text().startsWith(" ") ? piece.withText(" " + piece.text())
                    : piece;
            int before = out.size();
            if (useRegex) {
                SplitBehavior.ISOLATED.split(prefixed, words, out);
            } else {
                out.add(prefixed);
            }
            for (int i = before; i < out.size(); i++) {
                out.set(i, out.get(i).withText(ByteLevelAlphabet.encode(out.get(i).text())));
            }
        });
    }

    static PreTokenizer split(JsonConfig config) {
        SplitPattern pattern = ReplacePattern.splitPatternFromJson(config.object("pattern"));
        SplitPattern effective = config.bool("invert", false) ? pattern.inverted() : pattern;
        SplitBehavior behavior = SplitBehavior.fromJson(config, "behavior");
        return eachTextPiece((piece, out) -> behavior.split(piece, effective, out));
    }

    /** Separates numbers: each digit alone, or runs of digits together. */
    static PreTokenizer digits(boolean individualDigits) {
        SplitPattern numeric = SplitPattern.eachCodePoint(PreTokenizer::isNumeric);
        SplitBehavior behavior = individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS;
        return eachTextPiece((piece, out) -> behavior.split(piece, numeric, out));
    }

    /** Rust's {@code char::is_numeric}: the Unicode categories Nd, Nl and No. */
    static boolean isNumeric(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
