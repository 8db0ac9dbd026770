package dev.concord.cli.commands;

import dev.concord.cli.JsonOutput;
import dev.concord.cli.TerminalProgress;
import dev.concord.cli.commands.eval.EvalTable;
import dev.concord.cli.commands.merge.MergeParameterOptions;
import dev.concord.error.InvalidInputException;
import dev.concord.lab.eval.Composition;
import dev.concord.lab.eval.EvalOptions;
import dev.concord.lab.eval.EvalReport;
import dev.concord.lab.eval.EvalRequest;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.eval.MergeSpec;
import dev.concord.lab.eval.WeightedAdapter;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteReader;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ParameterDef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord eval}: scores a composition of adapters on a held-out suite — exact match by greedy decoding,
 * token accuracy by teacher forcing, normalized accuracy against each skill's own adapter, and the base model's
 * perplexity on pretraining-style text as a control. The JSON is written once, at the end, by an atomic rename:
 * an interrupted run leaves no partial file (and an older file of the same name intact).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model, adapters, a mix, a routing or an in-memory merge on a held-out suite.",
                "A suite is a directory of <skill>/{test,validation,ood}.jsonl files of {\"prompt\", \"answer\"}"
                        + " lines (docs/lab.md)."})
public final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--adapter", paramLabel = "PATH[:W]",
            description = "PEFT adapter directory and weight (default 1), repeatable. Without --merge or --route, all"
                    + " are applied together to every prompt (exact linear composition, unmerged).")
    List<String> adapters = new ArrayList<>();

    @Option(names = "--route", description = "Serve each skill's prompts with the --adapter whose directory name is"
            + " the skill, instead of applying all to every prompt.")
    boolean route;

    @Option(names = "--merge", paramLabel = "METHOD",
            description = "Merge the adapters in memory with a concord merge method (linear, ties, dare_ties, tsv, ...)"
                    + " and evaluate the result; no file is written.")
    String merge;

    @Option(names = "--merge-output", paramLabel = "delta|adapter", defaultValue = "delta",
            description = "delta: the method's merged update exactly (as --format delta/model); adapter: the PEFT adapter"
                    + " concord merge --format adapter writes (dense results cut to --rank). Default: ${DEFAULT-VALUE}.")
    String mergeOutput;

    @Option(names = "--rank", paramLabel = "R", description = "Rank of the adapter output (--merge-output adapter).")
    Integer rank;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the merge's random masks and sketches. Default: ${DEFAULT-VALUE}.")
    String seed;

    @CommandLine.Mixin
    MergeParameterOptions mergeParameters;

    @Option(names = "--suite", required = true, paramLabel = "DIR", description = "The held-out suite directory.")
    Path suite;

    @Option(names = "--split", paramLabel = "test|validation|ood", defaultValue = "test",
            description = "Split to score. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--skills", paramLabel = "SKILL", split = ",",
            description = "Skills to score, in this order (default: every skill of the suite).")
    List<String> skills = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N",
            description = "Score at most the first N items of each skill's split.")
    Integer limit;

    @Option(names = "--threads", paramLabel = "N",
            description = "Compute threads (default: all processors). Results do not depend on it.")
    Integer threads;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @CommandLine.Mixin
    JsonOutput json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Composition composition = composition(err);
        if (limit != null && limit < 1) {
            throw new InvalidInputException("--limit must be at least 1, got " + limit);
        }
        for (String s : skills) {
            if (s.isBlank()) {
                throw new InvalidInputException("--skills: empty skill name in the list (give names separated by commas)");
            }
        }
        Split which = Split.byId(split);
        EvalOptions options = EvalOptions.defaults();
        if (threads != null) {
            options = options.withThreads(threads);
        }
        Suite loaded = SuiteReader.read(suite);
        EvalRequest request = new EvalRequest(composition, loaded, which, skills.stream().map(String::strip).toList(),
                limit == null ? 0 : limit, true, true);
        List<String> scored = request.resolvedSkills();
        if (composition instanceof Composition.Routed r) {
            for (WeightedAdapter a : r.adapters()) {
                if (!scored.contains(a.name())) {
                    err.println("warning: --route: adapter " + a.spelling() + " serves no scored skill (its directory"
                            + " name '" + a.name() + "' is not one of " + String.join(", ", scored) + ")");
                }
            }
        }
        EvalReport report;
        try (LabEvaluator evaluator = LabEvaluator.open(model, options)) {
            report = evaluator.evaluate(request, TerminalProgress.forStderr(quiet));
        }
        json.emit(report.toJson(), out, () -> EvalTable.print(report, out));
        return 0;
    }

    private Composition composition(PrintWriter err) {
        List<WeightedAdapter> parsed = adapters.stream().map(WeightedAdapter::parse).toList();
        Map<String, Object> params = mergeParameters.values();
        if (merge == null) {
            List<String> stray = new ArrayList<>(params.keySet().stream().map(k -> "--" + k.replace('_', '-')).toList());
            if (rank != null) {
                stray.add("--rank");
            }
            if (!stray.isEmpty()) {
                throw new InvalidInputException(String.join(", ", stray) + " configure a merge: give --merge METHOD");
            }
            if (route) {
                return Composition.route(parsed);
            }
            return parsed.isEmpty() ? Composition.base() : Composition.mix(parsed);
        }
        if (route) {
            throw new InvalidInputException("--route and --merge exclude each other: routing serves each skill with its"
                    + " own adapter, merging makes one model of all");
        }
        MergeMethod method = MethodRegistry.get(merge);
        warnUnused(method, params, err);
        MergeSpec.Output output = switch (mergeOutput.toLowerCase(Locale.ROOT)) {
            case "delta" -> MergeSpec.Output.DELTA;
            case "adapter" -> MergeSpec.Output.ADAPTER;
            default -> throw new InvalidInputException("--merge-output " + mergeOutput + ": expected delta or adapter");
        };
        if (rank != null && output != MergeSpec.Output.ADAPTER) {
            throw new InvalidInputException("--rank sets the rank of the adapter output: give --merge-output adapter");
        }
        return Composition.merge(new MergeSpec(merge, parsed, params, MergeCommand.parseSeed(seed), output, rank));
    }

    private static void warnUnused(MergeMethod m, Map<String, Object> given, PrintWriter err) {
        Set<String> declared = new TreeSet<>();
        for (ParameterDef p : m.parameters()) {
            declared.add(p.name());
        }
        for (String g : given.keySet()) {
            if (!declared.contains(g)) {
                err.println("warning: method " + m.name() + " does not use --" + g.replace('_', '-') + "; it is ignored");
            }
        }
    }
}
