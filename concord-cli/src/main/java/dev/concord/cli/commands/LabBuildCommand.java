package dev.concord.cli.commands;

import dev.concord.cli.Formats;
import dev.concord.cli.JsonOutput;
import dev.concord.cli.Table;
import dev.concord.cli.TerminalProgress;
import dev.concord.lab.build.AdapterEvaluation;
import dev.concord.lab.build.BuildListener;
import dev.concord.lab.build.LabBuild;
import dev.concord.lab.build.LabRecipe;
import dev.concord.lab.build.PhaseSummary;
import dev.concord.lab.eval.EvalOptions;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.SuiteReader;
import dev.concord.lab.train.StepReport;
import dev.concord.progress.Progress;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord lab build}: reproduces the lab's base model and skill adapters from seeds (see {@link LabBuild}).
 * Progress goes to stderr: a bar per phase, and a line with the loss and speed every tenth of a phase.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build the lab from seeds: generate the evaluation suite, pretrain the base model, train one "
                + "LoRA adapter per skill, score each adapter on its skill's held-out splits (eval.json), and write "
                + "them to DIR (suite/, base/, adapters/<skill>/, build.json).",
                "DIR appears complete or not at all."})
public final class LabBuildCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the lab.")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "S",
            description = "Training seed: picks the training streams and initial weights (default: the recipe's, 0).")
    Long seed;

    @Option(names = "--suite-seed", paramLabel = "S",
            description = "Seed of the evaluation suite (default: ${DEFAULT-VALUE}).", defaultValue = "1234")
    long suiteSeed;

    @Option(names = "--skills", split = ",", paramLabel = "SKILL",
            description = "Train adapters for these skills only (comma-separated; default: all eight).")
    List<String> skills;

    @Option(names = "--quick", description = "A tiny recipe that builds in seconds (for tests and smoke runs).")
    boolean quick;

    @Option(names = "--force", description = "Replace DIR if it exists (only once the new build is complete).")
    boolean force;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Option(names = "--no-eval", description = "Do not evaluate the adapters (no eval.json).")
    boolean noEval;

    @CommandLine.Mixin
    JsonOutput json;

    @Override
    public Integer call() {
        LabRecipe recipe = quick ? LabRecipe.QUICK : LabRecipe.DEFAULT;
        if (seed != null) {
            recipe = recipe.withTrainingSeed(seed);
        }
        recipe = recipe.withSuiteSeed(suiteSeed);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<String> chosen = skills != null ? skills.stream().map(String::strip).toList() : LabSkills.names();
        boolean terminal = "1".equals(System.getenv("CONCORD_STDERR_TTY"));
        TerminalProgress progress = TerminalProgress.forStderr(quiet);
        LabBuild.Options options = new LabBuild.Options(t, chosen, force, progress,
                quiet ? BuildListener.NONE : new StatusLines(System.err, terminal),
                noEval ? AdapterEvaluation.NONE : evaluation(t, progress));
        long start = System.nanoTime();
        List<PhaseSummary> phases = new LabBuild(recipe, options).run(out);
        double seconds = (System.nanoTime() - start) / 1e9;

        PrintWriter w = spec.commandLine().getOut();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("out", out.toString());
        j.put("threads", t);
        j.put("quick", quick);
        j.put("wall_seconds", Math.round(seconds * 10) / 10.0);
        List<Map<String, Object>> list = new ArrayList<>();
        for (PhaseSummary p : phases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("steps", p.steps());
            m.put("tokens", p.tokens());
            m.put("first_loss", p.firstLoss());
            m.put("final_loss", p.finalLoss());
            m.put("wall_seconds", Math.round(p.wallSeconds() * 10) / 10.0);
            m.put("cpu_seconds", Math.round(p.cpuSeconds() * 10) / 10.0);
            m.put("tokens_per_second", Math.round(p.tokensPerSecond()));
            list.add(m);
        }
        j.put("phases", list);
        json.emit(j, w, () -> {
            Table table = new Table("phase", "steps", "tokens", "first loss", "final loss", "wall s", "cpu s",
                    "tokens/s");
            for (PhaseSummary p : phases) {
                table.row(p.name(), p.steps(), Formats.count(p.tokens()), String.format("%.3f", p.firstLoss()),
                        String.format("%.3f", p.finalLoss()), String.format("%.1f", p.wallSeconds()),
                        String.format("%.1f", p.cpuSeconds()), Formats.count(Math.round(p.tokensPerSecond())));
            }
            table.print(w);
            w.printf("built %s in %.1f s%n", out, seconds);
        });
        return 0;
    }

    /** Each adapter scored alone on every held-out split of its skill, into its eval.json (docs/lab.md). */
    private static AdapterEvaluation evaluation(int threads, Progress progress) {
        return (baseDir, adapterDir, suiteDir, skill) -> {
            try (LabEvaluator evaluator = LabEvaluator.open(baseDir, EvalOptions.defaults().withThreads(threads))) {
                evaluator.writeAdapterEval(adapterDir, SuiteReader.read(suiteDir), skill, progress);
            }
        };
    }

    /** A line with phase, step, loss and speed every tenth of a phase (on a terminal, above the progress bar). */
    static final class StatusLines implements BuildListener {
        private final PrintStream err;
        private final boolean terminal;
        private long tokens;
        private long nanos;

        StatusLines(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void onStep(String phase, StepReport r) {
            tokens += r.tokens();
            nanos += r.nanos();
            int every = Math.max(1, r.steps() / 10);
            if (r.step() % every == 0 || r.step() == r.steps()) {
                String line = String.format("%s: step %d/%d, loss %.4f, lr %.2e, %s tokens/s", phase, r.step(),
                        r.steps(), r.loss(), r.learningRate(), Formats.count(Math.round(tokens / (nanos / 1e9))));
                // on a terminal the bar is being redrawn on this line: clear it, the bar comes back below
                err.println(terminal ? "\r\u001b[K" + line : line);
                err.flush();
                tokens = 0;
                nanos = 0;
            }
        }
    }
}
