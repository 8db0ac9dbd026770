package dev.concord.cli.commands;

import dev.concord.cli.TerminalProgress;
import dev.concord.cli.commands.merge.MergeHelp;
import dev.concord.cli.commands.merge.MergeParameterOptions;
import dev.concord.error.InvalidInputException;
import dev.concord.lab.calibrate.DarexCalibration;
import dev.concord.lab.calibrate.QChoice;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MergeSummary;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.Numbers;
import dev.concord.merge.OutputFormat;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.ParameterSource;
import dev.concord.merge.config.MergeConfig;
import dev.concord.progress.Progress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * {@code concord merge}: merges LoRA adapters with one of the registered methods and writes a PEFT adapter, a
 * dense delta or a full model. Parameters come from options (one value for every module) or from a mergekit-style
 * merge.yaml ({@code --config}). Every value is checked before anything is written; the output directory appears
 * complete or not at all.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge LoRA adapters exactly and write an adapter, a delta or a full model.",
                "Task vector of adapter i on a module: tau_i = s_i * B_i @ A_i (s_i = alpha/r, alpha/sqrt(r) with rslora).",
                ""},
        footerHeading = "%nMethods:%n",
        footer = {})
public final class MergeCommand implements Callable<Integer> {
    CommandLine.Model.CommandSpec spec;

    /** picocli injects the spec when it builds the command: the moment to add the generated method list to help. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec s) {
        this.spec = s;
        s.usageMessage().footer(MergeHelp.footer());
    }

    @Option(names = "--method", paramLabel = "M", description = "Merge method (see the list below). Required unless --config.")
    String method;

    @Option(names = "--adapter", paramLabel = "PATH[:WEIGHT]",
            description = {"Input adapter directory, repeatable. The weight (default 1.0, negative allowed) follows the last ':'"
                    + " when that suffix is a plain decimal (-?[0-9]+(.[0-9]+)?([eE][-+]?[0-9]+)?)."})
    List<String> adapters = new ArrayList<>();

    @Option(names = "--config", paramLabel = "merge.yaml",
            description = "mergekit-style config: merge_method, base_model, models (adapter paths, per-model parameters),"
                    + " parameters (filters, layer gradients). Defaults follow mergekit there.")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output directory; must not exist unless --force. Nothing is left there after a failure.")
    Path out;

    @Option(names = "--format", paramLabel = "F", defaultValue = "adapter",
            description = "adapter | delta | model (default: ${DEFAULT-VALUE}). adapter: PEFT adapter; delta:"
                    + " delta.safetensors (F32, <module>.weight [out, in]); model: --base plus the merged delta.")
    String format;

    @Option(names = "--base", paramLabel = "MODEL_DIR",
            description = "Base model (HF directory), for --format model and --q auto.")
    Path base;

    @CommandLine.Mixin
    MergeParameterOptions parameters;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Unlabeled prompts for --q auto: one per line, or JSON Lines (a .jsonl name) with a"
                    + " \"prompt\" field.")
    Path calibration;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of random masks and sketches (default: ${DEFAULT-VALUE}).")
    String seed;

    @Option(names = "--rank", paramLabel = "R",
            description = "Adapter output rank (default: linear/task_arithmetic/cat exact concatenated factors;"
                    + " element-wise methods each module's largest input rank).")
    String rank;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads (default: the number of cores). Results do not depend on it.")
    Integer threads;

    @Option(names = "--force", description = "Replace an existing --out (only once the new output is complete).")
    boolean force;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputFormat fmt = parseFormat(format);
        MergeMethod m;
        List<AdapterInput> inputs;
        MergeConfig c = null;
        Path baseDir = base;
        Set<String> given;
        if (config != null) {
            if (method != null || !adapters.isEmpty()) {
                throw new InvalidInputException("--config replaces --method and --adapter; give either the config or those options");
            }
            c = MergeConfig.read(config);
            c.warnings().forEach(w -> err.println("warning: " + w));
            m = MethodRegistry.get(c.method());
            inputs = c.adapters();
            if (baseDir == null) {
                baseDir = c.baseModel();
            }
            given = c.namesUsed();
            given.removeAll(Set.of("weight", "normalize", "rescale", "int8_mask"));
        } else {
            if (method == null) {
                throw new InvalidInputException("--method is required (or --config merge.yaml); known methods: "
                        + String.join(", ", MethodRegistry.names()));
            }
            m = MethodRegistry.get(method);
            if (adapters.isEmpty()) {
                throw new InvalidInputException("give at least one --adapter PATH[:WEIGHT]");
            }
            inputs = adapters.stream().map(AdapterInput::parse).toList();
            given = new TreeSet<>(cliValues().keySet());
            given.remove("rank");
        }
        warnUnused(m, given, err);
        long seedValue = parseSeed(seed);
        Integer rankValue = rank == null ? null : parseRank(rank);
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (workers < 1) {
            throw new InvalidInputException("--threads must be at least 1, got " + workers);
        }
        Progress progress = TerminalProgress.forStderr(quiet);
        if (isAutoQ()) {
            QChoice choice = chooseQ(m, inputs, sourceFor(c, inputs), seedValue, workers, baseDir, progress);
            stdout.printf(Locale.ROOT, "%s: chose q = %.4f on %d prompts (%d tokens): mean squared logit change %.4g"
                    + " (q = 1: %.4g; q = %s, DARE's 1/(1-p): %.4g)%n", m.name(), choice.q(), choice.prompts(),
                    choice.tokens(), choice.objective(), choice.objectiveWithoutRescale(),
                    Numbers.format(choice.keepProbability()), choice.objectiveWithDareRescale());
            stdout.flush();
            // from here on exactly as if the user had typed the chosen value (the report records it so)
            parameters.q = Double.toString(choice.q());
        } else if (calibration != null) {
            throw new InvalidInputException("--calibration is only read with --q auto");
        }
        MergeRequest req = new MergeRequest(m, inputs, sourceFor(c, inputs), seedValue, rankValue, fmt, baseDir, out,
                force, workers, config);
        MergeSummary s = MergeRunner.run(req, progress);
        stdout.printf(Locale.ROOT, "merged %d modules of %d adapters with %s into %s (%s%s) in %.1fs%n", s.modules(),
                inputs.size(), m.name(), s.out(), fmt.cliName(),
                s.retainedEnergy().isEmpty() ? "" : String.format(Locale.ROOT, ", min retained energy %.4f", s.minRetainedEnergy()),
                s.seconds());
        stdout.flush();
        return 0;
    }

    private boolean isAutoQ() {
        return parameters.q != null && parameters.q.trim().equalsIgnoreCase("auto");
    }

    /** Parameters from the merge.yaml (when given) with the command line's options on top. */
    private ParameterSource sourceFor(MergeConfig c, List<AdapterInput> inputs) {
        return c != null ? withCliValues(c) : new FixedParameters(cliValues(), inputs);
    }

    /**
     * DAREx's label-free q ({@link DarexCalibration}). Checked before the calibration's forward passes: the other
     * method, the missing --base or --calibration, and an --out that the merge would refuse anyway.
     */
    private QChoice chooseQ(MergeMethod m, List<AdapterInput> inputs, ParameterSource source, long seedValue,
            int workers, Path baseDir, Progress progress) {
        if (!DarexCalibration.METHODS.contains(m.name())) {
            throw new InvalidInputException("--q auto chooses DAREx's rescale: use it with --method darex or"
                    + " darex_ties, not " + m.name());
        }
        if (baseDir == null) {
            throw new InvalidInputException("--q auto needs --base MODEL_DIR: the base model that the calibration"
                    + " prompts run through");
        }
        if (calibration == null) {
            throw new InvalidInputException("--q auto needs --calibration FILE: unlabeled prompts, one per line, or"
                    + " JSONL with a \"prompt\" field");
        }
        if (Files.exists(out) && !force) {
            throw new InvalidInputException(out + ": already exists (choose a new --out, or pass --force to replace it)");
        }
        return DarexCalibration.chooseQ(m, inputs, source, seedValue, workers, baseDir, calibration, progress);
    }

    /** Options given on the command line, by parameter name (only those the user set). */
    private Map<String, Object> cliValues() {
        Map<String, Object> v = parameters.values();
        // --rank is the adapter output's rank; methods that shape their result by it (lora_lego) read it too
        if (rank != null) {
            v.put("rank", rank);
        }
        return v;
    }

    /** With --config, command-line parameter options still apply and take precedence over the file. */
    private ParameterSource withCliValues(MergeConfig c) {
        Map<String, Object> values = cliValues();
        if (values.isEmpty()) {
            return c;
        }
        return new ParameterSource() {
            @Override
            public java.util.Optional<Object> value(String name, int adapter, String module, double t) {
                if (adapter < 0 && values.containsKey(name)) {
                    return java.util.Optional.of(values.get(name));
                }
                return c.value(name, adapter, module, t);
            }

            @Override
            public java.util.Optional<Object> defaultFor(String method, String name, String module, double t) {
                return c.defaultFor(method, name, module, t);
            }

            @Override
            public String label(ParameterDef def, int adapter) {
                return values.containsKey(def.name()) && def.option() != null ? def.option() : c.label(def, adapter);
            }
        };
    }

    private static void warnUnused(MergeMethod m, Set<String> given, PrintWriter err) {
        Set<String> declared = new TreeSet<>();
        m.parameters().forEach(p -> declared.add(p.name()));
        for (String g : given) {
            if (!declared.contains(g)) {
                err.println("warning: method " + m.name() + " does not use " + g.replace('_', '-')
                        + "; it is ignored");
            }
        }
    }

    static OutputFormat parseFormat(String f) {
        for (OutputFormat o : OutputFormat.values()) {
            if (o.cliName().equals(f.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new InvalidInputException("--format " + f + ": expected adapter, delta or model");
    }

    static long parseSeed(String s) {
        if (!s.matches("-?[0-9]{1,19}")) {
            throw new InvalidInputException("--seed " + s + ": expected a whole number");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--seed " + s + ": out of range for a 64-bit integer");
        }
    }

    static int parseRank(String s) {
        if (!s.matches("[0-9]{1,9}") || Integer.parseInt(s) < 1) {
            throw new InvalidInputException("--rank " + s + ": expected a whole number >= 1");
        }
        return Integer.parseInt(s);
    }

}
