package dev.concord.model.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {
    /** Feeds growing prefixes of {@code full} as a generator would and returns what was streamed. */
    private static String stream(StopStrings s, String... steps) {
        StringBuilder out = new StringBuilder();
        for (String step : steps) {
            out.append(s.advance(step));
        }
        out.append(s.finish(steps[steps.length - 1]));
        return out.toString();
    }

    @Test
    void cutsBeforeTheStopStringEvenWhenItArrivesInPieces() {
        StopStrings s = new StopStrings(List.of("\n\nUser:"));
        String out = stream(s, "Hello", "Hello there.", "Hello there.\n", "Hello there.\n\nUs", "Hello there.\n\nUser:",
                "Hello there.\n\nUser: more");
        assertThat(out).isEqualTo("Hello there.");
        assertThat(s.text()).isEqualTo("Hello there.");
        assertThat(s.stopped()).isTrue();
    }

    @Test
    void holdsBackOnlyWhatCouldStartAStopString() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.advance("abc E")).isEqualTo("abc ");
        assertThat(s.advance("abc EN")).isEmpty();
        assertThat(s.advance("abc ENX")).isEqualTo("ENX");
        assertThat(s.finish("abc ENX")).isEmpty();
        assertThat(s.text()).isEqualTo("abc ENX");
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void incompleteUtf8IsHeldUntilCompleted() {
        StopStrings s = new StopStrings(List.of());
        assertThat(s.advance("caf\uFFFD")).isEqualTo("caf");
        assertThat(s.advance("café")).isEqualTo("é");
        assertThat(s.finish("café!")).isEqualTo("!");
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("xyz", "b"));
        assertThat(stream(s, "a b xyz")).isEqualTo("a ");
    }
}
