package dev.concord.merge.lowrank;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.CliRun;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code concord merge} runs tsv, knots and lora_lego by name with their options, and refuses bad values with
 * exit code 2. (Lives in the low-rank methods' package; the numerics are tested in concord-merge.)
 */
class LowRankCliTest {
    @TempDir
    Path tmp;

    private String a;
    private String b;

    @BeforeEach
    void adapters() {
        a = SyntheticAdapters.write(tmp.resolve("a"), SyntheticAdapterSpec.tinyLlama(1).withRank(4, 8)).toString();
        b = SyntheticAdapters.write(tmp.resolve("b"), SyntheticAdapterSpec.tinyLlama(2)).toString();
    }

    @Test
    void tsvWithTsvKeepWritesAnAdapterOfTheKeptRank() throws IOException {
        Path out = tmp.resolve("tsv");
        CliRun r = CliRun.of("merge", "--method", "tsv", "--adapter", a, "--adapter", b + ":0.5", "--tsv-keep", "2",
                "--out", out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("merged 14 modules of 2 adapters with tsv");
        try (LoraAdapter merged = LoraAdapter.load(out)) {
            for (LoraModule m : merged.modules()) {
                assertThat(m.rank()).as(m.name()).isEqualTo(4);
            }
        }
        JsonNode report = new ObjectMapper().readTree(out.resolve("merge_report.json").toFile());
        assertThat(report.get("parameters").get("tsv_keep").asInt()).isEqualTo(2);
    }

    @Test
    void knotsTakesItsInnerMergeDensityAndSeed() throws IOException {
        Path out = tmp.resolve("knots");
        CliRun r = CliRun.of("merge", "--method", "knots", "--inner", "dare_ties", "--density", "0.5", "--seed", "3",
                "--adapter", a, "--adapter", b, "--format", "delta", "--out", out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("merge_report.json").toFile());
        assertThat(report.get("parameters").get("inner").asText()).isEqualTo("dare_ties");
        assertThat(report.get("parameters").get("density").get(0).asDouble()).isEqualTo(0.5);
        assertThat(report.get("seed").asLong()).isEqualTo(3);
    }

    @Test
    void loraLegoRunsWithHeterogeneousRanks() throws IOException {
        Path out = tmp.resolve("lego");
        CliRun r = CliRun.of("merge", "--method", "lora_lego", "--adapter", a, "--adapter", b, "--out",
                out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (LoraAdapter merged = LoraAdapter.load(out)) {
            // default k: the largest input rank (8)
            merged.modules().forEach(m -> assertThat(m.rank()).as(m.name()).isEqualTo(8));
        }
    }

    @Test
    void badValuesAreRefusedWithExitCodeTwoAndNothingWritten() {
        Path out = tmp.resolve("never");
        CliRun inner = CliRun.of("merge", "--method", "knots", "--inner", "mean", "--adapter", a, "--out",
                out.toString(), "--quiet");
        assertThat(inner.exitCode()).isEqualTo(2);
        assertThat(inner.err()).contains("--inner").contains("ties, dare_ties");
        CliRun keep = CliRun.of("merge", "--method", "tsv", "--tsv-keep", "-1", "--adapter", a, "--out",
                out.toString(), "--quiet");
        assertThat(keep.exitCode()).isEqualTo(2);
        assertThat(keep.err()).contains("--tsv-keep");
        assertThat(out).doesNotExist();
    }

    @Test
    void helpListsTheMethodsAndTheirDefaults() {
        CliRun r = CliRun.of("merge", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("tsv").contains("knots").contains("lora_lego").contains("--tsv-keep 0")
                .contains("--inner ties");
    }
}
