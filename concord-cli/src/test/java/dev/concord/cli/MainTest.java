package dev.concord.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    @Test
    void versionNamesConcord() {
        CliRun r = CliRun.of("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("concord ");
    }

    @Test
    void unknownCommandIsUsageErrorOnOneLine() {
        CliRun r = CliRun.of("frobnicate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("error: ");
    }

    @Test
    void missingPathIsBadInputWithoutStackTrace() {
        CliRun r = CliRun.of("inspect", tmp.resolve("nope").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: " + tmp.resolve("nope") + ": no such file or directory\n");
    }

    @Test
    void directoryThatIsNeitherAdapterNorModelIsRefused() {
        CliRun r = CliRun.of("inspect", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("neither a PEFT adapter");
    }

    @Test
    void inspectsAModelDirectoryAsTableAndJson() throws Exception {
        Path model = TinyModelDir.write(tmp.resolve("m"), 32, 64, 2, 4, 2, 50, DType.BF16);
        CliRun table = CliRun.of("inspect", model.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("LlamaForCausalLM").contains("parameters");

        CliRun json = CliRun.of("inspect", model.toString(), "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("kind").asText()).isEqualTo("model");
        assertThat(j.get("num_key_value_heads").asInt()).isEqualTo(2);
        long expected = 50L * 32 * 2 + 2L * (32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 64 * 32 + 2 * 32) + 32;
        assertThat(j.get("parameters").asLong()).isEqualTo(expected);
        assertThat(j.get("dtypes").get("BF16").asLong()).isEqualTo(expected);
        assertThat(j.get("tied_embeddings").asBoolean()).isFalse();
    }

    @Test
    void jsonToFileStillPrintsTheTable() throws Exception {
        Path model = TinyModelDir.write(tmp.resolve("m"), 32, 64, 1, 4, 4, 20, DType.F32);
        Path out = tmp.resolve("info.json");
        CliRun r = CliRun.of("inspect", "--json", out.toString(), model.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("LlamaForCausalLM");
        assertThat(new ObjectMapper().readTree(Files.readString(out)).get("architecture").asText())
                .isEqualTo("LlamaForCausalLM");
    }

    @Test
    void jsonFlagBeforeADirectoryDoesNotSwallowIt() throws Exception {
        Path model = TinyModelDir.write(tmp.resolve("m"), 32, 64, 1, 4, 4, 20, DType.F32);
        CliRun r = CliRun.of("inspect", "--json", model.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("kind").asText()).isEqualTo("model");
    }

    @Test
    void corruptWeightsAreBadInput() throws Exception {
        Path model = TinyModelDir.write(tmp.resolve("m"), 32, 64, 1, 4, 4, 20, DType.F32);
        Path st = model.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(b, b.length - 3));
        CliRun r = CliRun.of("inspect", model.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("model.safetensors");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }
}
