package dev.concord.model.tokenizer;

/**
 * SentencePiece's word marking: every space becomes the replacement character (normally ▁), a ▁ may be put in
 * front, and the text is cut before each ▁.
 */
final class MetaspacePreTokenizer {

    /** When a ▁ is put in front of a piece that does not start with one. */
    enum PrependScheme {
        ALWAYS, NEVER,
        /** Only in front of the piece that starts the input. */
        FIRST
    }

    private MetaspacePreTokenizer() {
    }

    static PrependScheme prependScheme(JsonConfig config) {
        PrependScheme scheme = switch (config.has("prepend_scheme") ? config.string("prepend_scheme") : "always") {
            case "always" -> PrependScheme.ALWAYS;
            case "never" -> PrependScheme.NEVER;
            case "first" -> PrependScheme.FIRST;
            default -> throw config.invalid("prepend_scheme must be always, never or first, found '"
                    + config.string("prepend_scheme") + "'");
        };
        // Files written before prepend_scheme existed say add_prefix_space instead.
        if (config.has("add_prefix_space") && !config.bool("add_prefix_space", true)) {
            if (scheme != PrependScheme.NEVER) {
                throw config.invalid("add_prefix_space false contradicts prepend_scheme "
                        + scheme.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return scheme;
    }

    static PreTokenizer fromJson(JsonConfig config) {
        int replacement = config.codePoint("replacement");
        PrependScheme scheme = prependScheme(config);
        boolean split = config.bool("split", true);
        String marker = Character.toString(replacement);
        SplitPattern atMarker = SplitPattern.eachCodePoint(cp -> cp == replacement);
        return PreTokenizer.eachTextPiece((piece, out) -> {
            String text = piece.text().replace(" ", marker);
            boolean prepend = switch (scheme) {
                case ALWAYS -> true;
                case NEVER -> false;
                case FIRST -> piece.atTextStart();
            };
            if (prepend && !text.startsWith(marker)) {
                text = marker + text;
            }
            Piece marked = piece.withText(text);
            if (split) {
                SplitBehavior.MERGED_WITH_NEXT.split(marked, atMarker, out);
            } else {
                out.add(marked);
            }
        });
    }
}
