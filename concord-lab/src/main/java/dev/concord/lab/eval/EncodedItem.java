package dev.concord.lab.eval;

/**
 * A suite item in token ids: the prompt with the tokenizer's special tokens (BOS), and the reference answer's
 * tokens without the end-of-sequence token that must follow them.
 */
record EncodedItem(String skill, int index, String prompt, String answer, int[] promptIds, int[] answerIds) {}
