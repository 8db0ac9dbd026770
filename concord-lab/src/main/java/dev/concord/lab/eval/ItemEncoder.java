package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.model.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Tokenizes items the way a model sees them at generation time. The prompt is encoded with special tokens (the
 * template's BOS). The answer's tokens are those that follow the prompt's in the encoding of prompt + answer, so a
 * tokenizer that merges across the boundary or marks word starts (SentencePiece's ▁) scores the tokens a model
 * would actually emit; when the prompt's encoding is not a prefix of the joint one, the answer is encoded alone.
 * For the lab's character tokenizer both ways agree.
 */
final class ItemEncoder {
    private final Tokenizer tokenizer;
    private final int context;

    ItemEncoder(Tokenizer tokenizer, int context) {
        this.tokenizer = tokenizer;
        this.context = context;
    }

    EncodedItem encode(String skill, int index, SuiteItem item, String where) {
        int[] prompt = tokenizer.encode(item.prompt(), true);
        if (prompt.length == 0) {
            throw new InvalidInputException(where + ": the prompt encodes to no tokens");
        }
        int[] joint = tokenizer.encode(item.prompt() + item.answer(), true);
        int[] answer;
        if (joint.length >= prompt.length && Arrays.equals(joint, 0, prompt.length, prompt, 0, prompt.length)) {
            answer = Arrays.copyOfRange(joint, prompt.length, joint.length);
        } else {
            answer = tokenizer.encode(item.answer(), false);
        }
        if (prompt.length + answer.length > context) {
            throw new InvalidInputException(where + ": prompt and answer are " + (prompt.length + answer.length)
                    + " tokens, longer than the model's context (max_position_embeddings " + context + ")");
        }
        return new EncodedItem(skill, index, item.prompt(), item.answer(), prompt, answer);
    }
}
