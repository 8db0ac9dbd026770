package dev.concord.model.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a split does with the matched segments (Hugging Face's {@code SplitDelimiterBehavior}). */
enum SplitBehavior {
    /** Matches are dropped. */
    REMOVED,
    /** Every match and every gap is a piece of its own. */
    ISOLATED,
    /** A match is glued to the piece before it. */
    MERGED_WITH_PREVIOUS,
    /** A match is glued to the piece after it. */
    MERGED_WITH_NEXT,
    /** Consecutive matches form one piece. */
    CONTIGUOUS;

    static SplitBehavior fromJson(JsonConfig config, String field) {
        String name = config.string(field);
        return switch (name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw config.invalid("unknown split behavior '" + name
                    + "' (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
        };
    }

    /** Splits {@code piece} at the segments {@code pattern} finds; empty pieces are dropped. */
    void split(Piece piece, SplitPattern pattern, List<Piece> out) {
        String text = piece.text();
        List<Segment> segments = pattern.segments(text);
        // Ranges to keep, as [start, end) pairs in order.
        List<int[]> ranges = new ArrayList<>(segments.size());
        boolean previousMatch = false;
        switch (this) {
            case REMOVED -> {
                for (Segment s : segments) {
                    if (!s.match()) {
                        ranges.add(new int[] {s.start(), s.end()});
                    }
                }
            }
            case ISOLATED -> {
                for (Segment s : segments) {
                    ranges.add(new int[] {s.start(), s.end()});
                }
            }
            case CONTIGUOUS -> {
                for (Segment s : segments) {
                    if (s.match() == previousMatch && !ranges.isEmpty()) {
                        ranges.getLast()[1] = s.end();
                    } else {
                        ranges.add(new int[] {s.start(), s.end()});
                    }
                    previousMatch = s.match();
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                for (Segment s : segments) {
                    if (s.match() && !previousMatch && !ranges.isEmpty()) {
                        ranges.getLast()[1] = s.end();
                    } else {
                        ranges.add(new int[] {s.start(), s.end()});
                    }
                    previousMatch = s.match();
                }
            }
            case MERGED_WITH_NEXT -> {
                for (int i = segments.size() - 1; i >= 0; i--) {
                    Segment s = segments.get(i);
                    if (s.match() && !previousMatch && !ranges.isEmpty()) {
                        ranges.getLast()[0] = s.start();
                    } else {
                        ranges.add(new int[] {s.start(), s.end()});
                    }
                    previousMatch = s.match();
                }
                Collections.reverse(ranges);
            }
        }
        for (int[] range : ranges) {
            if (range[1] > range[0]) {
                out.add(piece.slice(range[0], range[1]));
            }
        }
    }
}
