package dev.concord.lab.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Writing a suite and reading it back, and suites written by hand without a manifest. */
class SuiteFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aWrittenSuiteReadsBackEqual() throws Exception {
        Suite suite = new SuiteGenerator(77, new SuiteSizes(30, 10, 5)).generate();
        Path dir = tmp.resolve("suite");
        SuiteWriter.write(suite, dir, false);
        Suite read = SuiteReader.read(dir);
        assertThat(read).isEqualTo(suite);
        assertThat(read.seed()).hasValue(77);
        assertThat(read.origin()).isEqualTo(dir.toString());

        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("suite.json").toFile());
        assertThat(manifest.get("format").asText()).isEqualTo("concord-suite");
        assertThat(manifest.get("version").asInt()).isEqualTo(1);
        assertThat(manifest.get("skills")).hasSize(8);
        List<String> lines = Files.readAllLines(dir.resolve("rot3").resolve("test.jsonl"));
        assertThat(lines).hasSize(30);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.fieldNames()).toIterable().containsExactly("skill", "prompt", "answer");
        assertThat(first.get("prompt").asText()).startsWith("<rot3>").endsWith("\n");
    }

    @Test
    void anExistingDirectoryIsReplacedOnlyWithForce() {
        Suite suite = new SuiteGenerator(1, new SuiteSizes(3, 2, 1)).generate();
        Path dir = tmp.resolve("s");
        SuiteWriter.write(suite, dir, false);
        assertThatThrownBy(() -> SuiteWriter.write(suite, dir, false)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already exists");
        Suite other = new SuiteGenerator(2, new SuiteSizes(3, 2, 1)).generate();
        SuiteWriter.write(other, dir, true);
        assertThat(SuiteReader.read(dir)).isEqualTo(other);
    }

    @Test
    void aHandWrittenSuiteNeedsNoManifest() throws Exception {
        Path dir = tmp.resolve("mine");
        Files.createDirectories(dir.resolve("capitals"));
        Files.createDirectories(dir.resolve("echo"));
        Files.writeString(dir.resolve("capitals/test.jsonl"),
                "{\"prompt\":\"France?\",\"answer\":\"Paris\",\"id\":7}\n\n{\"prompt\":\"Peru?\",\"answer\":\"Lima\"}");
        Files.writeString(dir.resolve("capitals/README.md"), "not a split");
        Files.writeString(dir.resolve("echo/validation.jsonl"), "{\"prompt\":\"a\",\"answer\":\"\"}\r\n");
        Suite suite = SuiteReader.read(dir);
        assertThat(suite.skills()).containsExactly("capitals", "echo");
        assertThat(suite.seed()).isEmpty();
        assertThat(suite.items("capitals", Split.TEST)).containsExactly(new SuiteItem("France?", "Paris"),
                new SuiteItem("Peru?", "Lima"));
        assertThat(suite.items("echo", Split.VALIDATION)).containsExactly(new SuiteItem("a", ""));
        assertThatThrownBy(() -> suite.items("echo", Split.TEST)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("echo/test.jsonl");
    }

    @Test
    void selectingSkillsKeepsTheGivenOrderAndRefusesUnknownOnes() {
        Suite suite = new Suite("x", OptionalLong.empty(), Map.of(
                "a", Map.of(Split.TEST, List.of(new SuiteItem("p", "q"))),
                "b", Map.of(Split.TEST, List.of(new SuiteItem("r", "s")))));
        assertThat(suite.select(List.of("b", "a")).skills()).containsExactly("b", "a");
        assertThatThrownBy(() -> suite.select(List.of("a", "zz"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no skill 'zz'");
    }

    @Test
    void splitNamesAreTheDocumentedOnes() {
        assertThat(Split.byId("ood")).isEqualTo(Split.OOD);
        assertThat(Split.TEST.fileName()).isEqualTo("test.jsonl");
        assertThatThrownBy(() -> Split.byId("dev")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("validation");
    }
}
