package dev.concord.lab.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationPromptsTest {
    @TempDir
    Path tmp;

    @Test
    void plainTextGivesOnePromptPerNonBlankLineExactlyAsWritten() throws Exception {
        Path f = tmp.resolve("prompts.txt");
        Files.writeString(f, "first prompt\r\n\n   \n  indented, trailing space \n{\"prompt\": \"not json here\"}\nlast");
        List<CalibrationPrompt> p = CalibrationPrompts.read(f);
        assertThat(p).extracting(CalibrationPrompt::text).containsExactly("first prompt",
                "  indented, trailing space ", "{\"prompt\": \"not json here\"}", "last");
        assertThat(p).extracting(CalibrationPrompt::where).containsExactly(f + ":1", f + ":4", f + ":5", f + ":6");
    }

    @Test
    void jsonLinesTakeThePromptFieldAndIgnoreTheRest() throws Exception {
        Path f = tmp.resolve("suite.JSONL");
        Files.writeString(f, "{\"prompt\": \"a\\nmulti-line prompt\", \"answer\": \"x\", \"id\": 3}\n\n"
                + "{\"answer\": \"y\", \"prompt\": \"é ünïcode\"}\n");
        List<CalibrationPrompt> p = CalibrationPrompts.read(f);
        assertThat(p).extracting(CalibrationPrompt::text).containsExactly("a\nmulti-line prompt", "é ünïcode");
        assertThat(p.get(1).where()).isEqualTo(f + ":3");
    }

    @Test
    void everyProblemNamesTheFileAndLine() throws Exception {
        assertRefused("bad.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \n", ":2: not valid JSON");
        assertRefused("array.jsonl", "[1, 2]\n", ":1: expected a JSON object with a string \"prompt\" field");
        assertRefused("missing.jsonl", "{\"prompt\": \"ok\"}\n{\"text\": \"x\"}\n", ":2: expected a string \"prompt\" field");
        assertRefused("number.jsonl", "{\"prompt\": 4}\n", ":1: expected a string \"prompt\" field, found number");
        assertRefused("empty.jsonl", "{\"prompt\": \"\"}\n", ":1: the prompt is empty");
        assertRefused("blank.txt", "\n \n\t\n", "no prompts");
        Path latin1 = tmp.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> CalibrationPrompts.read(latin1)).isInstanceOf(InvalidInputException.class)
                .hasMessage(latin1 + ":2: not valid UTF-8");
        assertThatThrownBy(() -> CalibrationPrompts.read(tmp.resolve("absent.txt")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no such file");
        assertThatThrownBy(() -> CalibrationPrompts.read(tmp)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a regular file");
    }

    private void assertRefused(String name, String content, String message) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        assertThatThrownBy(() -> CalibrationPrompts.read(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining(message);
    }
}
