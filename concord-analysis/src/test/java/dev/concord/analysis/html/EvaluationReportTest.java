package dev.concord.analysis.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.analysis.AnalysisOptions;
import dev.concord.analysis.AnalysisReport;
import dev.concord.analysis.ConflictAnalyzer;
import dev.concord.analysis.NamedAdapter;
import dev.concord.progress.Progress;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation report: one section per set, a chart and a table per set, verdicts, marks, escaping. */
class EvaluationReportTest {
    @TempDir
    static Path tmp;
    static String html;
    static final String NASTY = "<i>&\"rot3'";

    @BeforeAll
    static void render() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1);
        AnalysisReport analysis;
        try (LoraAdapter a = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("a"), base.withSeed(1)));
                LoraAdapter b = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("b"), base.withSeed(2)))) {
            analysis = ConflictAnalyzer.analyze(List.of(new NamedAdapter("a", a), new NamedAdapter("b", b)),
                    AnalysisOptions.defaults(), Progress.none());
        }
        List<String> skills = List.of(NASTY, "unrot3");
        EvaluatedSet conflicting = new EvaluatedSet("Conflicting", skills, analysis.composition(), List.of(
                new EvaluatedSet.Outcome("naive", new double[] {0.01, 0.0}, new double[] {0.01, 0.0}, false),
                new EvaluatedSet.Outcome("route", new double[] {0.98, 0.97}, new double[] {1.0, 1.0}, true)),
                "no merge holds <b>");
        EvaluatedSet unanalyzed = new EvaluatedSet("Without analysis", List.of("json"), null, List.of(
                new EvaluatedSet.Outcome("linear", new double[] {0.5}, new double[] {Double.NaN}, false)), null);
        html = EvaluationReport.render("Concord demo", "lab kit", List.of(conflicting, unanalyzed));
    }

    @Test
    void isOneSelfContainedDocumentWithASectionPerSet() {
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n").doesNotContain("<script")
                .doesNotContain("<link");
        assertThat(html).contains("<section id=\"set-0\" class=\"verdict-").contains("<section id=\"set-1\">");
        assertThat(count(html, "<svg class=\"barchart\"")).isEqualTo(2);
        assertThat(count(html, "<table class=\"data\"")).isEqualTo(2);
        assertThat(html).containsPattern("predicted: (compatible|caution|conflict)<");
        assertThat(html).contains("<span class=\"badge held-out\">held-out data: no merge holds &lt;b&gt;</span>");
        assertThat(count(html, "badge held-out")).isEqualTo(1);
    }

    @Test
    void marksTheRecommendedRowCollapsesAndHolds() {
        assertThat(html).contains("<tr class=\"recommended\"><td>route (recommended)</td>");
        assertThat(html).contains("<td class=\"collapse\">0.000</td>").contains("<td class=\"holds\">1.000</td>");
        // the mean of the conflicting set's naive row: (0.01 + 0) / 2
        assertThat(html).contains("<td>0.005</td>");
        // an undefined normalized accuracy draws no bar and prints a dash
        assertThat(html).contains("(–)");
    }

    @Test
    void namesAreEscapedAndSvgIsWellFormed() throws Exception {
        assertThat(html).doesNotContain(NASTY).contains("&lt;i&gt;&amp;&quot;rot3&#39;");
        Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int n = 0;
        while (m.find()) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
            n++;
        }
        assertThat(n).isEqualTo(2);
    }

    @Test
    void outcomeSummariesIgnoreUndefinedSkills() {
        EvaluatedSet.Outcome o = new EvaluatedSet.Outcome("x", new double[3], new double[] {0.5, Double.NaN, 0.9}, false);
        assertThat(o.meanNormalized()).isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(o.worstNormalized()).isEqualTo(0.5);
        assertThat(new EvaluatedSet.Outcome("y", new double[1], new double[] {Double.NaN}, false).meanNormalized())
                .isNaN();
    }

    private static int count(String s, String needle) {
        int c = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }
}
