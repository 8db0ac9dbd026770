package dev.concord.cli.commands.analyze;

import dev.concord.analysis.AdapterProfile;
import dev.concord.analysis.AnalysisReport;
import dev.concord.analysis.CompositionReport;
import dev.concord.analysis.PairReport;
import dev.concord.analysis.Recommendation;
import dev.concord.cli.Formats;
import dev.concord.cli.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The terminal summary of {@code concord analyze}: adapter profiles, pairs, verdict and recommendation. */
public final class AnalysisSummary {
    /** Pairs listed in the terminal (the riskiest first); --json has all of them. */
    static final int MAX_PAIRS = 20;

    private AnalysisSummary() {}

    public static void print(AnalysisReport r, PrintWriter out) {
        AnalysisReport.Settings s = r.settings();
        out.println("analysis of " + r.adapters().size() + " adapters over " + r.modules().size() + " modules"
                + " (density " + num(s.density()) + (s.sample() > 0
                        ? ", element-wise statistics from " + s.sample() + " samples per module, seed " + s.seed()
                        : ", element-wise statistics exact") + ")");
        out.println();
        Table a = new Table("adapter", "modules", "ranks", "||tau||", "eff. rank", "stable rank", "top-1 share",
                "||tau||/||W||", "weight");
        for (AdapterProfile p : r.adapters()) {
            a.row(p.name(), p.modules(), p.ranks(), num(p.frobeniusNorm()), num(p.effectiveRank()),
                    num(p.stableRank()), num(p.top1EnergyShare()), num(p.relativeSize()), num(p.weight()));
        }
        a.print(out);
        out.println();
        if (!r.pairs().isEmpty()) {
            List<PairReport> pairs = new ArrayList<>(r.pairs());
            pairs.sort(Comparator.comparingDouble((PairReport p) -> Double.isNaN(p.risk()) ? -1 : p.risk()).reversed());
            Table t = new Table("a", "b", "cosine", "sign conflict", "weighted", "overlap", "overlap (rows)",
                    "TIES discarded", "risk", "verdict");
            for (PairReport p : pairs.subList(0, Math.min(MAX_PAIRS, pairs.size()))) {
                t.row(p.a(), p.b(), num(p.cosine()), num(p.signConflictRate()) + ci(p.signConflictRateCi()),
                        num(p.signConflictWeighted()), num(p.subspaceOverlap()), num(p.subspaceOverlapRow()),
                        num(p.tiesDiscardedMass()), num(p.risk()), p.verdict());
            }
            if (pairs.size() > MAX_PAIRS) {
                out.println("pairs (riskiest " + MAX_PAIRS + " of " + Formats.count(pairs.size()) + "; --json has all)");
            }
            t.print(out);
            out.println();
        }
        CompositionReport c = r.composition();
        out.println("composition: sign agreement " + num(c.signAgreement()) + ci(c.signAgreementCi())
                + ", TIES discarded mass " + num(c.tiesDiscardedMass()) + ci(c.tiesDiscardedMassCi()));
        if (r.adapters().size() <= 12) {
            List<String> methods = new ArrayList<>(c.retention().keySet());
            List<String> headers = new ArrayList<>();
            headers.add("retention");
            headers.addAll(methods);
            Table ret = new Table(headers.toArray(String[]::new));
            for (AdapterProfile p : r.adapters()) {
                List<Object> row = new ArrayList<>();
                row.add(p.name());
                for (String m : methods) {
                    Double v = c.retention().get(m).get(p.name());
                    row.add(num(v == null ? Double.NaN : v));
                }
                ret.row(row.toArray());
            }
            ret.print(out);
        }
        out.println();
        out.println("verdict: " + c.verdict().toUpperCase(Locale.ROOT) + " (risk " + num(c.risk()) + ")");
        Recommendation rec = c.recommendation();
        if (Recommendation.MERGE.equals(rec.action())) {
            out.println("recommendation: merge with " + rec.method() + parameters(rec.parameters()));
        } else {
            out.println("recommendation: serve separately");
        }
        for (String reason : rec.reasons()) {
            out.println("  - " + reason);
        }
        for (String w : c.depth().warnings()) {
            out.println("warning: " + w);
        }
        for (String note : c.notes()) {
            out.println("note: " + note);
        }
    }

    private static String parameters(Map<String, Object> p) {
        if (p.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" (");
        p.forEach((k, v) -> b.append(b.length() > 2 ? ", " : "").append(k).append('=').append(v));
        return b.append(')').toString();
    }

    private static String ci(double[] ci) {
        return ci == null ? "" : " [" + num(ci[0]) + ", " + num(ci[1]) + "]";
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return Formats.num(v);
    }
}
