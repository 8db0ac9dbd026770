package dev.concord.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchForwardCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tinyRunReportsEveryMeasurementAndKeepsTheCheckpointAndAdapters() throws Exception {
        Path model = tmp.resolve("model");
        Path adapters = tmp.resolve("adapters");
        CliRun r = CliRun.of("bench", "forward", "--dtype", "bf16", "--hidden", "64", "--intermediate", "128",
                "--layers", "2", "--heads", "4", "--kv-heads", "2", "--vocab", "300", "--rank", "4", "--adapters", "4",
                "--small-batch", "4", "--small-batch-adapters", "2", "--decode-tokens", "4", "--batch-steps", "2",
                "--naive-requests", "2", "--prefill-tokens", "32", "--bandwidth", "10", "--threads", "2",
                "--save-model", model.toString(), "--save-adapters", adapters.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode res = j.get("results").get(0);
        assertThat(res.get("dtype").asText()).isEqualTo("BF16");
        assertThat(res.get("single-stream decode").get("tokens_per_s").asDouble()).isPositive();
        assertThat(res.get("single-stream decode").get("fraction_of_bound").asDouble()).isPositive();
        assertThat(res.get("batched_adapters_over_no_adapter").asDouble()).isPositive();
        assertThat(res.get("batched_over_naive").asDouble()).isPositive();
        assertThat(res.get("q8_0_logit_deviation").get("top1Agreement").asDouble()).isBetween(0.0, 1.0);
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("model.safetensors")).exists();
        try (var dirs = Files.list(adapters)) {
            assertThat(dirs.filter(d -> Files.exists(d.resolve("adapter_model.safetensors"))).count()).isEqualTo(4);
        }
        // the saved checkpoint and adapters are ordinary inputs for the other commands
        Path out = tmp.resolve("logits.safetensors");
        CliRun f = CliRun.of("forward", "--model", model.toString(), "--adapter",
                adapters.resolve("adapter-00").toString(), "--tokens", "1,2,3", "--out", out.toString());
        assertThat(f.exitCode()).as(f.err()).isZero();
    }
}
