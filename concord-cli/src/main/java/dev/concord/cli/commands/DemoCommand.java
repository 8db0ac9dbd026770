package dev.concord.cli.commands;

import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.Main;
import dev.concord.io.AtomicDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code concord demo}: the main job on a built-in default. Until the lab's trained skill kit exists, it writes a
 * few synthetic PEFT adapters (a tiny Llama shape, different ranks, targets and dtypes) to a temporary directory
 * and walks the pipeline on them: inspect, analyze a compatible and a conflicting set, merge exactly and with
 * TIES. Each step prints the command a user would type.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run Concord's pipeline on built-in synthetic adapters (no download, no training).")
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--keep", paramLabel = "DIR",
            description = "Write the demo adapters to DIR (must not exist) and keep them, instead of a temp dir.")
    Path keep;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = keep != null ? prepare(keep) : Files.createTempDirectory("concord-demo-");
        try {
            List<Path> adapters = writeAdapters(work);
            out.println("Concord demo: " + adapters.size() + " synthetic PEFT adapters (tone, json, safety) in " + work);
            out.println();
            String tone = adapters.get(0).toString();
            String json = adapters.get(1).toString();
            String safety = adapters.get(2).toString();
            String contrarian = work.resolve("contrarian").toString();
            List<String[]> steps = List.of(
                    new String[] {"inspect", safety},
                    // compatible: three independently trained skills
                    new String[] {"analyze", "--quiet", tone, json, safety},
                    // an adapter that undoes most of 'tone' (made exactly with a negative weight)
                    new String[] {"merge", "--quiet", "--method", "linear", "--adapter", tone + ":-0.8",
                            "--adapter", safety + ":0.3", "--out", contrarian},
                    // conflicting: 'contrarian' pulls against 'tone'
                    new String[] {"analyze", "--quiet", tone, contrarian, json, "--html",
                            work.resolve("conflict-report.html").toString()},
                    new String[] {"merge", "--quiet", "--method", "linear", "--adapter", tone, "--adapter", json,
                            "--adapter", safety, "--out", work.resolve("merged-linear").toString()},
                    new String[] {"merge", "--quiet", "--method", "ties", "--density", "0.2", "--adapter", tone,
                            "--adapter", json, "--adapter", safety, "--out", work.resolve("merged-ties").toString()},
                    new String[] {"merge", "--quiet", "--method", "ties", "--format", "delta", "--adapter", tone,
                            "--adapter", json, "--out", work.resolve("delta-ties").toString()});
            for (String[] args : steps) {
                if (step(out, err, args) != 0) {
                    return 1;
                }
            }
            out.println("Done. Outputs are in " + work + (keep == null ? " (deleted now; keep them with --keep DIR)" : ""));
            return 0;
        } finally {
            if (keep == null) {
                AtomicDirectory.deleteTree(work);
            }
        }
    }

    private static Path prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            throw new dev.concord.error.InvalidInputException(dir + ": already exists (--keep needs a new directory)");
        }
        return Files.createDirectories(dir);
    }

    /** Three skills on one tiny base: different ranks, scalings (one rsLoRA), targets and dtypes. */
    static List<Path> writeAdapters(Path work) {
        List<Path> out = new ArrayList<>();
        SyntheticAdapterSpec base = SyntheticAdapterSpec.tinyLlama(1);
        out.add(SyntheticAdapters.write(work.resolve("tone"), base.withSeed(11)));
        out.add(SyntheticAdapters.write(work.resolve("json"),
                base.withSeed(22).withRank(16, 32).withDtype(dev.concord.tensor.DType.BF16)));
        out.add(SyntheticAdapters.write(work.resolve("safety"),
                base.withSeed(33).withRank(4, 8).withRslora(true).withTargets(SyntheticAdapterSpec.ATTENTION)));
        return out;
    }

    private static int step(PrintWriter out, PrintWriter err, String... args) {
        out.println("$ concord " + String.join(" ", args));
        out.flush();
        int code = Main.run(out, err, args);
        out.println();
        return code;
    }
}
