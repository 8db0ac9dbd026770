package dev.concord.model.tokenizer;

/**
 * A token declared in the {@code added_tokens} list of a tokenizer.json. Such tokens are matched as whole strings in
 * the input before the model runs, so a special-token string typed inside a text becomes that one token.
 *
 * @param id         the id Hugging Face assigns to it (normally the one written in the file)
 * @param content    the literal text of the token
 * @param special    special tokens are the ones a "skip special tokens" decode would drop
 * @param lstrip     a match also swallows the whitespace on its left
 * @param rstrip     a match also swallows the whitespace on its right
 * @param singleWord matched only when not glued to a word character on either side
 * @param normalized matched against the normalized text (true) or the raw input (false)
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                         boolean normalized) {
}
