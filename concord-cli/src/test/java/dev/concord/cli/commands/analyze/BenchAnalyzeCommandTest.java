package dev.concord.cli.commands.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchAnalyzeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void smallZooRunsAndRecordsItsNumbers() throws Exception {
        Path record = tmp.resolve("benchmarks.md");
        Files.writeString(record, "# Benchmarks\n\nearlier text\n");
        CliRun r = CliRun.of("bench", "analyze", "--adapters", "3", "--layers", "1", "--rank", "2", "--sample", "64",
                "--dir", tmp.resolve("zoo").toString(), "--record", record.toString(), "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("pairs").asInt()).isEqualTo(3);
        assertThat(j.get("modules").asInt()).isEqualTo(7);
        assertThat(j.get("analyze_seconds").asDouble()).isPositive();
        String md = Files.readString(record);
        assertThat(md).startsWith("# Benchmarks\n\nearlier text\n").contains("### concord bench analyze")
                .contains("| 3 | 3 |");
        // the kept zoo is reused: a second run generates nothing new
        try (var files = Files.list(tmp.resolve("zoo"))) {
            assertThat(files.count()).isEqualTo(3);
        }
    }
}
