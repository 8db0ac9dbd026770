package dev.concord.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code concord demo} on the committed lab kit (a few items per skill: the story's shape, not its numbers). */
class DemoCommandTest {
    static final Path KIT = Path.of("..", "lab-kit");

    @TempDir
    Path tmp;

    @Test
    void demoAnalyzesMergesEvaluatesAndReports() throws Exception {
        Path html = tmp.resolve("report.html");
        CliRun r = CliRun.of("demo", "--quiet", "--kit", KIT.toString(), "--limit", "8", "--html", html.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("== Compatible skills").contains("== Conflicting skills")
                .contains("naive factor-wise (PEFT linear)").contains("linear average").contains("tsv")
                .contains("serve separately").containsPattern("\\* Concord: ");
        assertThat(r.out()).containsPattern("predicted from the weights: (compatible|caution|conflict)");
        String report = Files.readString(html);
        assertThat(report).contains("<svg class=\"barchart\"").contains("<tr class=\"recommended\">");
    }

    @Test
    void demoRefusesADirectoryThatIsNoKit() {
        CliRun r = CliRun.of("demo", "--kit", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("not a lab kit");
    }
}
