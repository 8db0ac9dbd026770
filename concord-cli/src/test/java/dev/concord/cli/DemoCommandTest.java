package dev.concord.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.LoraAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void demoWalksThePipelineAndFlagsTheConflictingSet() throws Exception {
        Path keep = tmp.resolve("demo");
        CliRun r = CliRun.of("demo", "--keep", keep.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("verdict: COMPATIBLE").contains("verdict: CONFLICT");
        for (String merged : new String[] {"merged-linear", "merged-ties", "contrarian"}) {
            try (LoraAdapter a = LoraAdapter.load(keep.resolve(merged))) {
                assertThat(a.modules()).isNotEmpty();
            }
        }
        assertThat(keep.resolve("delta-ties/delta.safetensors")).isRegularFile();
        assertThat(Files.readString(keep.resolve("conflict-report.html"))).contains("<svg");
    }

    @Test
    void demoRefusesAnExistingKeepDirectory() {
        CliRun r = CliRun.of("demo", "--keep", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("already exists");
    }
}
