package dev.concord.cli.commands.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
    @TempDir
    static Path tmp;
    static Path a;
    static Path b;

    @BeforeAll
    static void adapters() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1).withTargets(SyntheticAdapterSpec.ATTENTION);
        a = SyntheticAdapters.write(tmp.resolve("tone"), base.withSeed(1L << 20));
        b = SyntheticAdapters.write(tmp.resolve("json"), base.withSeed(2L << 20).withRank(4, 8));
    }

    @Test
    void printsProfilesPairsVerdictAndRecommendation() {
        CliRun r = CliRun.of("analyze", "--quiet", a.toString(), b.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("analysis of 2 adapters over 8 modules").contains("tone").contains("json")
                .contains("sign conflict").contains("verdict: ").contains("recommendation: ");
    }

    @Test
    void jsonToStdoutAndHtmlFile() throws Exception {
        Path html = tmp.resolve("out/report.html");
        CliRun r = CliRun.of("analyze", "--json", "--html", html.toString(), "first=" + a, "second=" + b,
                "--weights", "1,0.5", "--sample", "256", "--seed", "7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("adapters").get(0).get("name").asText()).isEqualTo("first");
        assertThat(j.get("adapters").get(1).get("weight").asDouble()).isEqualTo(0.5);
        assertThat(j.get("pairs").get(0).get("a").asText()).isEqualTo("first");
        assertThat(j.get("pairs").get(0).get("sign_conflict_rate_ci").size()).isEqualTo(2);
        assertThat(j.get("settings").get("sample").asInt()).isEqualTo(256);
        assertThat(j.get("composition").get("verdict").asText()).isIn("compatible", "caution", "conflict");
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("first");
    }

    @Test
    void duplicateNamesAreBadInput() {
        CliRun r = CliRun.of("analyze", "x=" + a, "x=" + b);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("error: two adapters are named 'x'");
    }

    @Test
    void wrongNumberOfWeightsAndMissingAdapterAreBadInput() {
        CliRun w = CliRun.of("analyze", a.toString(), b.toString(), "--weights", "1");
        assertThat(w.exitCode()).isEqualTo(2);
        assertThat(w.err()).contains("--weights has 1 values for 2 adapters");
        CliRun m = CliRun.of("analyze", a.toString(), tmp.resolve("nope").toString());
        assertThat(m.exitCode()).isEqualTo(2);
        assertThat(m.err()).contains("no such adapter directory");
        CliRun s = CliRun.of("analyze", a.toString(), "--sample", "0");
        assertThat(s.exitCode()).isEqualTo(2);
    }

    @Test
    void adapterArgumentsParse() {
        assertThat(AdapterArgument.parse("name=/x/y")).isEqualTo(new AdapterArgument("name", Path.of("/x/y")));
        assertThat(AdapterArgument.parse(a.toString()).name()).isEqualTo("tone");
        assertThat(AdapterArgument.parse("/some/dir/").name()).isEqualTo("dir");
    }
}
