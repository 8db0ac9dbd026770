package dev.concord.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.cli.CliRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabBuildCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickBuildWritesTheKitWithEvaluatedAdaptersAndReportsItsPhases() throws Exception {
        Path out = tmp.resolve("kit");
        CliRun r = CliRun.of("lab", "build", "--out", out.toString(), "--quick", "--skills", "rot3", "--threads", "1",
                "--quiet", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("phases")).hasSize(2);
        assertThat(j.get("phases").get(0).get("name").asText()).isEqualTo("base");
        assertThat(j.get("phases").get(1).get("name").asText()).isEqualTo("adapter:rot3");
        assertThat(j.get("phases").get(1).get("tokens").asLong()).isPositive();
        assertThat(out.resolve("base/config.json")).isRegularFile();
        assertThat(out.resolve("adapters/rot3/adapter_config.json")).isRegularFile();
        assertThat(out.resolve("build.json")).isRegularFile();
        JsonNode eval = new ObjectMapper().readTree(out.resolve("adapters/rot3/eval.json").toFile());
        assertThat(eval.path("test").path("items").asInt()).isEqualTo(20);

        CliRun inspect = CliRun.of("inspect", out.resolve("adapters/rot3").toString(), "--json");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(new ObjectMapper().readTree(inspect.out()).toString()).contains("q_proj");
    }

    @Test
    void badInputIsOneErrorLineAndNoOutput() {
        Path out = tmp.resolve("kit");
        CliRun r = CliRun.of("lab", "build", "--out", out.toString(), "--quick", "--skills", "rot3,rot13");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error:").contains("rot13").doesNotContain("\n");
        assertThat(Files.exists(out)).isFalse();
        CliRun threads = CliRun.of("lab", "build", "--out", out.toString(), "--quick", "--threads", "0");
        assertThat(threads.exitCode()).isEqualTo(2);
        assertThat(threads.err()).contains("--threads");
    }

    @Test
    void interruptingABuildLeavesNoDirectoryAndNoTemporaryFiles() throws Exception {
        Path out = tmp.resolve("kit");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "dev.concord.cli.Main", "lab", "build", "--out", out.toString(),
                "--quick", "--threads", "1", "--no-eval", "--quiet")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (entries().isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(entries()).as("the build's staging directory").singleElement()
                    .satisfies(name -> assertThat(name).startsWith(".kit.tmp-"));
            Thread.sleep(1000);
            assertThat(p.isAlive()).as("still building when interrupted").isTrue();
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(entries()).isEmpty();
    }

    private List<String> entries() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(x -> x.getFileName().toString()).toList();
        }
    }
}
