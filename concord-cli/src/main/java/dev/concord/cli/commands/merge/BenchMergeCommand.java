package dev.concord.cli.commands.merge;

import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicDirectory;
import dev.concord.merge.bench.MergeBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord bench merge}: wall time and peak RSS of merges of 4 synthetic rank-16 adapters on a Llama-1B and
 * a Llama-7B shape (see {@link MergeBenchmark}); each merge runs in its own JVM.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge 4 synthetic rank-16 adapters (all projections) for a Llama-1B and a Llama-7B shape:",
                "linear, ties, dare_ties, tsv -> adapter on both; ties -> delta on 1B only (a 7B delta is 26 GB).",
                "Each merge runs in a child JVM that reports wall time and peak RSS (VmHWM)."})
public final class BenchMergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", paramLabel = "1b|7b|all", defaultValue = "all",
            description = "Which shapes (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--methods", paramLabel = "M,...", split = ",",
            description = "Only these methods (default: linear, ties, dare_ties, tsv).")
    List<String> methods;

    @Option(names = "--work", paramLabel = "DIR",
            description = "Where adapters and outputs go (default: a temporary directory, deleted afterwards).")
    Path work;

    @Option(names = "--threads", defaultValue = "2", description = "Merge threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-heap", defaultValue = "2g", description = "Child JVM -Xmx (default: ${DEFAULT-VALUE}).")
    String maxHeap;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<MergeBenchmark.Shape> shapes = switch (shape.toLowerCase(Locale.ROOT)) {
            case "1b" -> List.of(MergeBenchmark.LLAMA_1B);
            case "7b" -> List.of(MergeBenchmark.LLAMA_7B);
            case "all" -> List.of(MergeBenchmark.LLAMA_1B, MergeBenchmark.LLAMA_7B);
            default -> throw new InvalidInputException("--shape " + shape + ": expected 1b, 7b or all");
        };
        boolean temporary = work == null;
        Path dir = temporary ? Files.createTempDirectory("concord-bench-merge-") : Files.createDirectories(work);
        try {
            out.printf("%-5s %-10s %-8s %10s %12s %8s %s%n", "shape", "method", "format", "wall s", "peak RSS MiB",
                    "min E", "note");
            Map<MergeBenchmark.Shape, List<Path>> adapters = new LinkedHashMap<>();
            for (MergeBenchmark.Case c : MergeBenchmark.cases(shapes)) {
                if (methods != null && !methods.contains(c.method())) {
                    continue;
                }
                List<Path> in = adapters.computeIfAbsent(c.shape(), s -> {
                    err.println("generating 4 rank-16 adapters for the " + s.name() + " shape in " + dir + " ...");
                    return MergeBenchmark.generate(dir, s, 4);
                });
                MergeBenchmark.Result r = MergeBenchmark.run(c, in, dir.resolve("out-" + c.shape().name() + "-"
                        + c.method() + "-" + c.format()), threads, maxHeap, err::println);
                out.printf(Locale.ROOT, "%-5s %-10s %-8s %10.1f %12.0f %8.4f %s%n", c.shape().name(), c.method(),
                        c.format(), r.seconds(), r.peakRssBytes() / 1048576.0, r.minEnergy(), r.note());
                out.flush();
            }
            return 0;
        } finally {
            if (temporary) {
                AtomicDirectory.deleteTree(dir);
            }
        }
    }

}
