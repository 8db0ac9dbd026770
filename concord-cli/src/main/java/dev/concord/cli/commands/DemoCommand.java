package dev.concord.cli.commands;

import dev.concord.analysis.CompositionReport;
import dev.concord.analysis.Recommendation;
import dev.concord.analysis.html.EvaluatedSet;
import dev.concord.analysis.html.EvaluationReport;
import dev.concord.cli.Table;
import dev.concord.cli.TerminalProgress;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicFiles;
import dev.concord.lab.demo.DemoSet;
import dev.concord.lab.demo.LabDemo;
import dev.concord.lab.demo.LabKit;
import dev.concord.lab.eval.EvalOptions;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord demo}: the main job on the built-in default, the committed lab kit (a tiny base model, eight skill
 * adapters trained by Concord, held-out suites). For a compatible and a conflicting set of skills it predicts from
 * the weights, merges in memory with the usual methods and with Concord's recommendation, scores each composition on
 * held-out items, prints the tables and writes an HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Concord's story on the built-in lab kit: analyze, merge, evaluate, report.",
                "No download and no training: the kit (lab-kit/) is part of the repository."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kit", paramLabel = "DIR", description = "Lab kit directory (default: the repository's lab-kit/).")
    Path kit;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Test items per skill (default ${DEFAULT-VALUE}; the full split has 500).")
    int limit;

    @Option(names = "--html", paramLabel = "FILE", defaultValue = "concord-demo.html",
            description = "Where to write the HTML report (default ${DEFAULT-VALUE}).")
    Path html;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new InvalidInputException("--limit must be at least 1, got " + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        LabKit lab = LabKit.locate(kit);
        Suite suite = SuiteReader.read(lab.suite());
        EvalOptions options = threads == null ? EvalOptions.defaults() : EvalOptions.defaults().withThreads(threads);
        out.println("Concord demo on the lab kit " + lab.root());
        out.println("A ~1M-parameter Llama with one rank-8 LoRA adapter per skill, all trained by Concord. Each");
        out.println("composition is scored on " + limit + " held-out test items per skill: cells are exact match,"
                + " 'norm.' divides");
        out.println("by the skill's own adapter (1.00 = nothing lost).");
        out.println();
        out.flush();
        List<EvaluatedSet> sets;
        try (LabEvaluator evaluator = LabEvaluator.open(lab.base(), options)) {
            sets = LabDemo.run(lab, LabDemo.SETS, limit, evaluator, suite, TerminalProgress.forStderr(quiet),
                    set -> print(out, set));
        }
        String report = EvaluationReport.render("Concord demo: composing skill adapters",
                "lab kit " + lab.root() + " · " + limit + " test items per skill · normalized accuracy = exact match"
                        + " ÷ the skill's own adapter's", sets);
        AtomicFiles.writeString(html, report);
        out.printf(Locale.ROOT, "Report: %s (%.1f s)%n", html.toAbsolutePath(), (System.nanoTime() - started) / 1e9);
        out.println("Next: concord analyze / merge / eval on your own adapters (docs/cli.md).");
        return 0;
    }

    private static void print(PrintWriter out, EvaluatedSet set) {
        DemoSet demo = LabDemo.SETS.stream().filter(s -> s.heading().equals(set.title())).findFirst().orElse(null);
        out.println("== " + set.title() + (demo == null ? "" : "  (" + demo.story() + ")"));
        CompositionReport a = set.analysis();
        Recommendation rec = a.recommendation();
        out.printf(Locale.ROOT, "predicted from the weights: %s (risk %.2f, sign agreement %.2f) -> %s%n", a.verdict(),
                a.risk(), a.signAgreement(), Recommendation.MERGE.equals(rec.action()) ? "merge with " + rec.method()
                        : "serve separately");
        List<String> headers = new ArrayList<>(List.of("composition"));
        headers.addAll(set.skills());
        headers.add("mean norm.");
        headers.add("worst norm.");
        Table t = new Table(headers.toArray(String[]::new));
        for (EvaluatedSet.Outcome o : set.outcomes()) {
            List<Object> cells = new ArrayList<>();
            cells.add((o.recommended() ? "* " : "  ") + o.label());
            for (double em : o.exactMatch()) {
                cells.add(String.format(Locale.ROOT, "%.2f", em));
            }
            cells.add(format(o.meanNormalized()));
            cells.add(format(o.worstNormalized()));
            t.row(cells.toArray());
        }
        t.print(out);
        out.println("* Concord's choice: the analyzer's pick and the usual merges, validated on the validation split;");
        out.println("  served separately when no merge holds.");
        out.println();
        out.flush();
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
