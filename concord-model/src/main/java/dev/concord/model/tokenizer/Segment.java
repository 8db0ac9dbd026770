package dev.concord.model.tokenizer;

/** A stretch [start, end) of a string that a pattern either matched or skipped over. */
record Segment(int start, int end, boolean match) {
}
