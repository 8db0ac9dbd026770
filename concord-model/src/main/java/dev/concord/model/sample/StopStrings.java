package dev.concord.model.sample;

import java.util.List;

/**
 * Streams generated text while watching for stop strings. The caller passes the whole decoded continuation after
 * each token; {@link #advance} returns the part that is safe to show: it never shows text that might turn out to
 * be the start of a stop string, nor a trailing replacement character (an incomplete UTF-8 sequence that the next
 * token may complete). Once a stop string appears, the text is cut just before it and the stream ends.
 */
public final class StopStrings {
    private final List<String> stops;
    private int emitted;
    private String finalText;
    private boolean stopped;

    public StopStrings(List<String> stops) {
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string cannot be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** Whether a stop string has been seen. */
    public boolean stopped() {
        return stopped;
    }

    /**
     * Takes the full text generated so far and returns the newly safe part (possibly empty). After a stop string
     * is seen, returns the rest of the text before it and {@link #stopped()} becomes true.
     */
    public String advance(String text) {
        if (finalText != null) {
            return "";
        }
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            finalText = text.substring(0, cut);
            return take(finalText, finalText.length());
        }
        int safe = text.length() - heldBack(text);
        while (safe > emitted && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        return take(text, safe);
    }

    /** At the end of generation: everything not yet shown (held-back text included), up to any stop string. */
    public String finish(String text) {
        String out = advance(text);
        if (finalText != null) {
            return out;
        }
        finalText = text;
        return out + take(text, text.length());
    }

    /** The text generated, cut at the stop string if one was seen (valid after {@link #finish}). */
    public String text() {
        return finalText;
    }

    private String take(String text, int upTo) {
        if (upTo <= emitted) {
            return "";
        }
        String out = text.substring(emitted, upTo);
        emitted = upTo;
        return out;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of some stop string. */
    private int heldBack(String text) {
        int hold = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length()); len > hold; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    hold = len;
                    break;
                }
            }
        }
        return hold;
    }
}
