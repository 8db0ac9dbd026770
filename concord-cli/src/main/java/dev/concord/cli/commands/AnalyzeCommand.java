package dev.concord.cli.commands;

import dev.concord.adapter.LoraAdapter;
import dev.concord.analysis.AnalysisOptions;
import dev.concord.analysis.AnalysisReport;
import dev.concord.analysis.ConflictAnalyzer;
import dev.concord.analysis.NamedAdapter;
import dev.concord.analysis.ReportJson;
import dev.concord.analysis.html.HtmlReport;
import dev.concord.cli.JsonOutput;
import dev.concord.cli.TerminalProgress;
import dev.concord.cli.commands.analyze.AdapterArgument;
import dev.concord.cli.commands.analyze.AnalysisSummary;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicFiles;
import dev.concord.progress.Progress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code concord analyze ADAPTER...}: which adapters will fight before anyone merges them — per-adapter spectra,
 * pairwise cosine / sign conflicts / subspace overlap / interference, the composition's retention per merge method,
 * a risk verdict and a recommended plan. Formulas and the JSON schema: docs/analysis.md.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict conflicts between LoRA adapters from their weights, before merging.",
                "Prints per-adapter profiles, the riskiest pairs, retention per merge method, a verdict (compatible,"
                        + " caution, conflict) and a recommendation. Formulas and JSON schema: docs/analysis.md."})
public final class AnalyzeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ADAPTER", arity = "1..*",
            description = "PEFT adapter directory, or NAME=PATH to name it (default name: the directory name).")
    List<String> adapters;

    @Option(names = "--base", paramLabel = "MODEL_DIR",
            description = "Base model directory: adds ||tau|| / ||W|| per module and adapter.")
    Path base;

    @Option(names = "--density", paramLabel = "D", defaultValue = "0.2",
            description = "Fraction of entries the magnitude trim keeps per tensor, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double density;

    @Option(names = "--weights", paramLabel = "W", split = ",",
            description = "Merge weights in adapter order, comma-separated (default: 1 each).")
    List<Double> weights;

    @Option(names = "--sample", paramLabel = "N",
            description = "Estimate element-wise statistics from N seeded positions per module, with 95%% intervals"
                    + " (default: exact).")
    Integer sample;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the sampled positions and of the DARE masks (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report to FILE.")
    Path html;

    @Option(names = "--no-pair-modules", description = "Leave per-module pair detail out of the JSON (zoo screens).")
    boolean noPairModules;

    @CommandLine.Mixin
    JsonOutput json;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (sample != null && sample <= 0) {
            throw new InvalidInputException("--sample must be a positive number of positions, got " + sample);
        }
        if (html != null && Files.isDirectory(html)) {
            throw new InvalidInputException(html + ": --html needs a file name, not a directory");
        }
        List<AdapterArgument> args = adapters.stream().map(AdapterArgument::parse).toList();
        AdapterArgument.checkDistinct(args);
        double[] w = null;
        if (weights != null) {
            if (weights.size() != args.size()) {
                throw new InvalidInputException("--weights has " + weights.size() + " values for " + args.size()
                        + " adapters");
            }
            w = weights.stream().mapToDouble(Double::doubleValue).toArray();
        }
        AnalysisOptions options = new AnalysisOptions(density, sample == null ? 0 : sample, seed, w, base,
                !noPairModules);
        List<LoraAdapter> open = new ArrayList<>();
        try {
            List<NamedAdapter> named = new ArrayList<>();
            for (AdapterArgument a : args) {
                LoraAdapter adapter = LoraAdapter.load(a.path());
                open.add(adapter);
                named.add(new NamedAdapter(a.name(), adapter));
            }
            Progress progress = quiet || json.toStdout() ? Progress.none() : TerminalProgress.forStderr(false);
            AnalysisReport report = ConflictAnalyzer.analyze(named, options, progress);
            if (html != null) {
                AtomicFiles.writeString(html, HtmlReport.render(report));
            }
            json.emit(ReportJson.tree(report), out, () -> AnalysisSummary.print(report, out));
            return 0;
        } finally {
            open.forEach(LoraAdapter::close);
        }
    }
}
