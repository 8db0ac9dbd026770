package dev.concord.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;

/**
 * Cuts a string into matched and unmatched segments that together cover it, the way Hugging Face's {@code Pattern}
 * does; a {@link SplitBehavior} then decides what to keep.
 */
interface SplitPattern {

    /** Segments covering {@code text} in order; an empty text yields one empty unmatched segment. */
    List<Segment> segments(String text);

    /** Each regex match is a matched segment, the text between them unmatched ones. */
    static SplitPattern regex(OnigRegex pattern) {
        return text -> {
            List<Segment> out = new ArrayList<>();
            if (text.isEmpty()) {
                out.add(new Segment(0, 0, false));
                return out;
            }
            Matcher matcher = pattern.matcher(text);
            int previous = 0;
            while (matcher.find()) {
                if (previous != matcher.start()) {
                    out.add(new Segment(previous, matcher.start(), false));
                }
                out.add(new Segment(matcher.start(), matcher.end(), true));
                previous = matcher.end();
            }
            if (previous != text.length()) {
                out.add(new Segment(previous, text.length(), false));
            }
            return out;
        };
    }

    /** Hugging Face's String pattern: a literal; the empty literal matches nothing. */
    static SplitPattern literal(String literal) {
        if (literal.isEmpty()) {
            return text -> List.of(new Segment(0, text.length(), false));
        }
        return regex(OnigRegex.literal(literal));
    }

    /** Every code point accepted by {@code test} is a matched segment of its own. */
    static SplitPattern eachCodePoint(IntPredicate test) {
        return text -> {
            List<Segment> out = new ArrayList<>();
            if (text.isEmpty()) {
                out.add(new Segment(0, 0, false));
                return out;
            }
            int previous = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int end = i + Character.charCount(cp);
                if (test.test(cp)) {
                    if (previous < i) {
                        out.add(new Segment(previous, i, false));
                    }
                    out.add(new Segment(i, end, true));
                    previous = end;
                }
                i = end;
            }
            if (previous < text.length()) {
                out.add(new Segment(previous, text.length(), false));
            }
            return out;
        };
    }

    /** The same cuts with matched and unmatched swapped ({@code invert: true}). */
    default SplitPattern inverted() {
        return text -> segments(text).stream().map(s -> new Segment(s.start(), s.end(), !s.match())).toList();
    }
}
