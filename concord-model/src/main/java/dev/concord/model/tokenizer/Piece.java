package dev.concord.model.tokenizer;

/**
 * A stretch of the input on its way through the pipeline: still text to be tokenized, or already exactly one token
 * (an added token found in the input).
 *
 * @param text        the (normalized, pre-tokenized) text of this stretch
 * @param tokenId     the id when this stretch is already a token, otherwise -1
 * @param atTextStart whether the stretch begins at offset 0 of the original input; Metaspace's "first" prepend
 *                    scheme only marks that stretch
 */
record Piece(String text, int tokenId, boolean atTextStart) {

    static Piece ofText(String text, boolean atTextStart) {
        return new Piece(text, -1, atTextStart);
    }

    boolean isToken() {
        return tokenId >= 0;
    }

    /** The sub-stretch [start, end) of this text piece; it starts the input only if this one did and start is 0. */
    Piece slice(int start, int end) {
        return new Piece(text.substring(start, end), -1, atTextStart && start == 0);
    }

    Piece withText(String newText) {
        return new Piece(newText, tokenId, atTextStart);
    }
}
