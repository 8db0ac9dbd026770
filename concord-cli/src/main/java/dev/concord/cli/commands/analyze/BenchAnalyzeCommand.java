package dev.concord.cli.commands.analyze;

import dev.concord.analysis.AnalysisBench;
import dev.concord.cli.JsonOutput;
import dev.concord.cli.TerminalProgress;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicDirectory;
import dev.concord.io.AtomicFiles;
import dev.concord.progress.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord bench analyze}: the zoo screen — N synthetic rank-r adapters on a Llama-1B shape (hidden 2048,
 * intermediate 8192, 16 layers, 32/8 heads, all seven projections), every pair analysed with sampled element-wise
 * statistics. Reports wall-clock and CPU time of the analysis (generation is timed apart) and can append the result
 * to docs/benchmarks.md.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time 'concord analyze' on a zoo of synthetic adapters (default: 100 rank-16 adapters on a",
                "Llama-1B shape, all 4,950 pairs, 1,024 sampled positions per module)."})
public final class BenchAnalyzeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--adapters", defaultValue = "100", description = "Number of adapters (default: ${DEFAULT-VALUE}).")
    int adapters;

    @Option(names = "--rank", defaultValue = "16", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--layers", defaultValue = "16", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--sample", defaultValue = "1024",
            description = "Sampled positions per module (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of adapters and samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the generated adapters in DIR and reuse them on later runs (default: a temporary"
                    + " directory, deleted afterwards).")
    Path dir;

    @Option(names = "--record", paramLabel = "FILE",
            description = "Append the result as a section of FILE (e.g. docs/benchmarks.md).")
    Path record;

    @CommandLine.Mixin
    JsonOutput json;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        if (adapters < 2 || rank < 1 || layers < 1 || sample < 1) {
            throw new InvalidInputException("--adapters must be at least 2, --rank, --layers and --sample positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("concord-bench-analyze-");
        AnalysisBench.Config config = new AnalysisBench.Config(adapters, rank, sample, layers, seed);
        try {
            Progress progress = quiet || json.toStdout() ? Progress.none() : TerminalProgress.forStderr(false);
            AnalysisBench.Result r = AnalysisBench.run(config, work, progress);
            Map<String, Object> j = json(r);
            if (record != null) {
                append(record, markdown(r));
            }
            json.emit(j, out, () -> print(r, out));
            return 0;
        } finally {
            if (dir == null) {
                AtomicDirectory.deleteTree(work);
            }
        }
    }

    private static Map<String, Object> json(AnalysisBench.Result r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("adapters", r.config().adapters());
        j.put("rank", r.config().rank());
        j.put("layers", r.config().layers());
        j.put("modules", r.modules());
        j.put("pairs", r.pairs());
        j.put("sample", r.config().sample());
        j.put("adapter_bytes", r.adapterBytes());
        j.put("generate_seconds", r.generateSeconds());
        j.put("analyze_seconds", r.analyzeSeconds());
        j.put("analyze_cpu_seconds", r.analyzeCpuSeconds());
        j.put("spectral_seconds", r.spectralSeconds());
        j.put("elementwise_seconds", r.elementwiseSeconds());
        j.put("threads", r.threads());
        j.put("cores", Runtime.getRuntime().availableProcessors());
        j.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        j.put("verdict", r.report().composition().verdict());
        return j;
    }

    private static void print(AnalysisBench.Result r, PrintWriter out) {
        AnalysisBench.Config c = r.config();
        out.printf(Locale.ROOT, "zoo: %d adapters, rank %d, %d layers (%d modules), %,d pairs, %.2f GiB of BF16 factors%n",
                c.adapters(), c.rank(), c.layers(), r.modules(), r.pairs(), r.adapterBytes() / (double) (1L << 30));
        out.printf(Locale.ROOT, "generate: %.1f s (not part of the benchmark)%n", r.generateSeconds());
        out.printf(Locale.ROOT, "analyze:  %.1f s wall, %.1f s CPU on %d cores (spectral %.1f s, element-wise %.1f s"
                + " with %d samples per module)%n", r.analyzeSeconds(), r.analyzeCpuSeconds(),
                Runtime.getRuntime().availableProcessors(), r.spectralSeconds(), r.elementwiseSeconds(), c.sample());
        out.printf(Locale.ROOT, "          %,.0f pairs/s; load average at the end %.1f%n", r.pairs() / r.analyzeSeconds(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static String markdown(AnalysisBench.Result r) {
        AnalysisBench.Config c = r.config();
        return String.format(Locale.ROOT, """

                ### concord bench analyze (%s)

                `concord bench analyze --adapters %d --rank %d --layers %d --sample %d --seed %d`: %d synthetic \
                rank-%d PEFT adapters (BF16, %.2f GiB) on a Llama-1B shape (hidden 2048, intermediate 8192, %d layers, \
                32/8 heads, all seven projections; %d modules), all %,d pairs, element-wise statistics from %d samples \
                per module.

                | adapters | pairs | analyze wall (s) | analyze CPU (s) | spectral (s) | element-wise (s) | cores | load avg | generate (s) |
                |---:|---:|---:|---:|---:|---:|---:|---:|---:|
                | %d | %d | %.1f | %.1f | %.1f | %.1f | %d | %.1f | %.1f |
                """, LocalDate.now(), c.adapters(), c.rank(), c.layers(), c.sample(), c.seed(), c.adapters(), c.rank(),
                r.adapterBytes() / (double) (1L << 30), c.layers(), r.modules(), r.pairs(), c.sample(), c.adapters(),
                r.pairs(), r.analyzeSeconds(), r.analyzeCpuSeconds(), r.spectralSeconds(), r.elementwiseSeconds(),
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), r.generateSeconds());
    }

    private static void append(Path file, String text) {
        try {
            String before = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
            AtomicFiles.writeString(file, before + text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
