package dev.concord.cli.commands.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.AdapterWriter;
import dev.concord.adapter.ModuleFactors;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.CliRun;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code concord merge} as a user runs it: help, a merge, a merge.yaml, and every bad input the issue lists. */
class MergeCommandTest {
    @TempDir
    Path tmp;
    Path a;
    Path b;

    @BeforeEach
    void adapters() {
        a = SyntheticAdapters.write(tmp.resolve("a"), SyntheticAdapterSpec.tinyLlama(1));
        b = SyntheticAdapters.write(tmp.resolve("b"), SyntheticAdapterSpec.tinyLlama(2).withRank(4, 8));
    }

    private static void assertBadInput(CliRun r, String... fragments) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        for (String f : fragments) {
            assertThat(errors.getFirst()).contains(f);
        }
    }

    private void assertNothingWritten() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void helpListsEveryMethodAndEveryDefault() {
        CliRun r = CliRun.of("merge", "--help");
        assertThat(r.exitCode()).isZero();
        for (String m : List.of("linear", "task_arithmetic", "cat", "ties", "magnitude_prune", "dare_linear", "dare_ties",
                "darex", "darex_ties", "breadcrumbs", "breadcrumbs_ties", "della", "della_linear", "peft_linear",
                "peft_ties")) {
            assertThat(r.out()).contains("  " + m + " ");
        }
        assertThat(r.out()).contains("--density 0.2").contains("--density 0.1").contains("--majority-sign total")
                .contains("--sign-election unweighted").contains("--disjoint count").contains("--trim-scope tensor")
                .contains("--dare-rescale inverse").contains("--gamma 0.01").contains("--epsilon 0.1")
                .contains("--scope row").contains("--lambda 1").contains("--q required")
                .contains("default: 0").contains("default: adapter");
    }

    @Test
    void mergesIntoAnAdapterAndReports() {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("merge", "--method", "ties", "--adapter", a + ":0.7", "--adapter", b.toString(),
                "--density", "0.3", "--out", out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("merged 14 modules of 2 adapters with ties");
        assertThat(out.resolve("adapter_config.json")).exists();
        assertThat(out.resolve("adapter_model.safetensors")).exists();
        assertThat(out.resolve("merge_report.json")).exists();
    }

    @Test
    void readsAMergekitStyleConfig() throws IOException {
        Path cfg = tmp.resolve("merge.yaml");
        Files.writeString(cfg, "merge_method: dare_ties\nmodels:\n  - model: " + a + "\n    parameters: {weight: 1.0, density: 0.5}\n"
                + "  - model: " + b + "\n    parameters: {weight: 0.5}\nparameters: {density: 0.3}\n");
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("merge", "--config", cfg.toString(), "--format", "delta", "--out", out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(out.resolve("delta.safetensors")).exists();
        Files.delete(cfg);
    }

    @Test
    void unknownMethodListsTheKnownOnes() throws IOException {
        assertBadInput(CliRun.of("merge", "--method", "soup", "--adapter", a.toString(), "--out", tmp.resolve("o").toString()),
                "unknown merge method 'soup'", "linear", "della_linear");
        assertNothingWritten();
    }

    @Test
    void densityOutsideTheUnitIntervalAndNonNumbers() throws IOException {
        for (String d : List.of("0", "1.5", "-0.1", "NaN", "0x1p-2")) {
            assertBadInput(CliRun.of("merge", "--method", "ties", "--adapter", a.toString(), "--density", d, "--out",
                    tmp.resolve("o").toString()), "--density");
        }
        assertNothingWritten();
    }

    @Test
    void modelOutputNeedsABase() throws IOException {
        assertBadInput(CliRun.of("merge", "--method", "linear", "--adapter", a.toString(), "--format", "model", "--out",
                tmp.resolve("o").toString()), "--base");
        assertNothingWritten();
    }

    @Test
    void existingOutputIsRefusedUnlessForced() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("old.txt"), "old");
        assertBadInput(CliRun.of("merge", "--method", "linear", "--adapter", a.toString(), "--out", out.toString()),
                "already exists", "--force");
        assertThat(out.resolve("old.txt")).exists();
        CliRun forced = CliRun.of("merge", "--method", "linear", "--adapter", a.toString(), "--out", out.toString(),
                "--force", "--quiet");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(out.resolve("old.txt")).doesNotExist();
        assertThat(out.resolve("adapter_config.json")).exists();
        Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    @Test
    void differentBaseShapesNameTheModuleAndBothShapes() throws IOException {
        Path wide = SyntheticAdapters.write(tmp.resolve("wide"), new SyntheticAdapterSpec(64, 192, 2, 4, 2, 256, 8, 16,
                false, SyntheticAdapterSpec.ALL_PROJECTIONS, DType.F32, 0.02, 3));
        assertBadInput(CliRun.of("merge", "--method", "ties", "--adapter", a.toString(), "--adapter", wide.toString(),
                "--out", tmp.resolve("o").toString()), "model.layers.0.mlp.down_proj", "[64, 160]", "[64, 192]");
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void nonFiniteValuesAreRefused() {
        float[] values = new float[4 * 64];
        values[5] = Float.NaN;
        Path bad = tmp.resolve("bad");
        AdapterWriter.write(bad, SyntheticAdapters.config(SyntheticAdapterSpec.tinyLlama(1).withRank(4, 4)
                        .withTargets(List.of("q_proj"))),
                List.of(ModuleFactors.of("model.layers.0.self_attn.q_proj", ModuleKind.LINEAR,
                        new FloatMatrix(4, 64, values), new FloatMatrix(64, 4, new float[256]), DType.F32)));
        assertBadInput(CliRun.of("merge", "--method", "linear", "--adapter", bad.toString(), "--out",
                tmp.resolve("o").toString()), "NaN");
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void peftMethodsRefuseUnequalRanks() {
        assertBadInput(CliRun.of("merge", "--method", "peft_linear", "--adapter", a.toString(), "--adapter", b.toString(),
                "--out", tmp.resolve("o").toString()), "equal rank");
    }

    @Test
    void configAndMethodAreExclusive() {
        assertBadInput(CliRun.of("merge", "--config", "x.yaml", "--method", "ties", "--out", tmp.resolve("o").toString()),
                "--config");
    }
}
