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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The report's structure: sections, charts, escaping, and nothing that would reach the network. */
class HtmlReportTest {
    @TempDir
    static Path tmp;
    static String html;
    static final String NASTY = "<b>&\"tone'";

    @BeforeAll
    static void render() {
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1);
        List<LoraAdapter> open = new ArrayList<>();
        try {
            open.add(LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("a"), base.withSeed(11))));
            open.add(LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("b"), base.withSeed(12).withRank(4, 8))));
            open.add(LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("c"),
                    base.withSeed(13).withTargets(SyntheticAdapterSpec.ATTENTION))));
            List<NamedAdapter> named = List.of(new NamedAdapter(NASTY, open.get(0)), new NamedAdapter("json", open.get(1)),
                    new NamedAdapter("safety", open.get(2)));
            AnalysisReport r = ConflictAnalyzer.analyze(named, AnalysisOptions.defaults(), Progress.none());
            html = HtmlReport.render(r);
        } finally {
            open.forEach(LoraAdapter::close);
        }
    }

    @Test
    void isOneSelfContainedDocument() {
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
                .doesNotContain("@import").doesNotContain("url(");
        // the only URLs are the SVG namespace identifiers, which browsers never fetch
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:").doesNotContain("https:");
    }

    @Test
    void hasEverySectionAndChart() {
        for (String id : List.of("recommendation", "pairs", "profiles", "spectra", "retention", "adapters")) {
            assertThat(html).contains("<section id=\"" + id + "\"");
        }
        assertThat(count(html, "<svg class=\"heatmap\"")).isEqualTo(3);
        assertThat(count(html, "<svg class=\"linechart\"")).isEqualTo(4); // 2 profiles, spectra, depth
        assertThat(count(html, "<svg class=\"barchart\"")).isEqualTo(1);
        // 3 adapters: 6 off-diagonal cells per heatmap
        assertThat(count(html, "<rect class=\"cell\"")).isEqualTo(18);
        assertThat(html).contains("Sign-conflict rate").contains("Singular-value spectra").contains("decoder layer");
        assertThat(html).containsPattern("class=\"badge verdict\">(compatible|caution|conflict)<");
    }

    @Test
    void namesAreEscaped() {
        assertThat(html).doesNotContain(NASTY);
        assertThat(html).contains("&lt;b&gt;&amp;&quot;tone&#39;");
    }

    @Test
    void everySvgIsWellFormedXml() throws Exception {
        Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int n = 0;
        while (m.find()) {
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
            assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
            n++;
        }
        assertThat(n).isEqualTo(8);
    }

    private static int count(String s, String needle) {
        int c = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }
}
