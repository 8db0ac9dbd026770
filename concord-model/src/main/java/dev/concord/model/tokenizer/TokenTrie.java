package dev.concord.model.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text with leftmost-longest semantics (the Aho-Corasick match kind Hugging Face uses): the
 * match that starts first wins, among those the longest, and among equal strings the one registered first.
 */
final class TokenTrie {
    private final Node root = new Node();
    private final boolean empty;
    /** Characters some pattern starts with: most positions of a text are rejected with one array read. */
    private final boolean[] startsSomePattern = new boolean[Character.MAX_VALUE + 1];

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        /** Index of the pattern ending here, -1 if none. */
        int pattern = -1;
    }

    /** A match of pattern number {@code pattern} at [start, end). */
    record Match(int start, int end, int pattern) {
    }

    TokenTrie(List<String> patterns) {
        for (int p = 0; p < patterns.size(); p++) {
            String pattern = patterns.get(p);
            if (pattern.isEmpty()) {
                continue;
            }
            startsSomePattern[pattern.charAt(0)] = true;
            Node node = root;
            for (int i = 0; i < pattern.length(); i++) {
                node = node.children.computeIfAbsent(pattern.charAt(i), c -> new Node());
            }
            if (node.pattern < 0) {
                node.pattern = p;
            }
        }
        empty = root.children.isEmpty();
    }

    /** The leftmost-longest match starting at or after {@code from}, or null. */
    Match find(String text, int from) {
        if (empty) {
            return null;
        }
        for (int start = from; start < text.length(); start++) {
            if (!startsSomePattern[text.charAt(start)]) {
                continue;
            }
            Node node = root;
            int bestEnd = -1;
            int bestPattern = -1;
            for (int i = start; i < text.length(); i++) {
                node = node.children.get(text.charAt(i));
                if (node == null) {
                    break;
                }
                if (node.pattern >= 0) {
                    bestEnd = i + 1;
                    bestPattern = node.pattern;
                }
            }
            if (bestPattern >= 0) {
                return new Match(start, bestEnd, bestPattern);
            }
        }
        return null;
    }
}
