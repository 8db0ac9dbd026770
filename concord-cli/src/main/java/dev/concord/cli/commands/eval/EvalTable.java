package dev.concord.cli.commands.eval;

import dev.concord.cli.Formats;
import dev.concord.cli.Table;
import dev.concord.lab.eval.Control;
import dev.concord.lab.eval.EvalReport;
import dev.concord.lab.eval.Reference;
import dev.concord.lab.eval.SkillResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The human-readable result of {@code concord eval}: one row per skill, then the summary lines. */
public final class EvalTable {
    private EvalTable() {}

    public static void print(EvalReport r, PrintWriter out) {
        out.printf(Locale.ROOT, "%s on %s (%s split%s)%n", r.composition().label(), r.suite(), r.split().id(),
                r.limit() > 0 ? ", at most " + r.limit() + " items per skill" : "");
        boolean normalized = r.skills().values().stream().anyMatch(s -> s.reference() != null);
        Table t = normalized
                ? new Table("skill", "items", "exact match", "token acc", "own adapter", "normalized")
                : new Table("skill", "items", "exact match", "token acc");
        for (Map.Entry<String, SkillResult> e : r.skills().entrySet()) {
            SkillResult s = e.getValue();
            String em = percent(s.score().exactMatch());
            String ta = percent(s.score().tokenAccuracy());
            if (normalized) {
                t.row(e.getKey(), s.score().items(), em, ta, reference(s.reference()),
                        s.normalized().isPresent() ? String.format(Locale.ROOT, "%.3f", s.normalized().getAsDouble())
                                : "n/a");
            } else {
                t.row(e.getKey(), s.score().items(), em, ta);
            }
        }
        t.print(out);
        if (normalized) {
            out.println();
            if (r.meanNormalized().isPresent()) {
                out.printf(Locale.ROOT, "mean normalized %.3f, worst skill %s (%.3f)%n", r.meanNormalized().getAsDouble(),
                        r.worstSkill().orElseThrow().name(), r.worstSkill().orElseThrow().normalized());
            } else {
                out.println("mean normalized n/a: no skill has an own adapter with a non-zero exact match");
            }
        }
        if (r.control().isPresent()) {
            Control c = r.control().get();
            out.printf(Locale.ROOT, "control: base model perplexity %s on %d tokens of pretraining-style text%n",
                    Formats.num(c.perplexity()), c.tokens());
        }
        out.printf(Locale.ROOT, "%d items in %.1fs (%.0f items/s scored)%n", r.outcomes().size(), r.seconds(),
                r.itemsPerSecond());
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String reference(Reference ref) {
        if (ref.exactMatch().isEmpty()) {
            return "none found";
        }
        String where = ref.source() == Reference.Source.EVAL_JSON ? "eval.json" : "measured";
        return percent(ref.exactMatch().getAsDouble()) + " (" + where + ")";
    }
}
