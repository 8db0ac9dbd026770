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
 * and runs every pipeline command that exists on them, printing what a user would type.
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
            out.println("Concord demo: " + adapters.size() + " synthetic PEFT adapters in " + work);
            out.println();
            for (Path a : adapters) {
                if (step(out, err, "inspect", a.toString()) != 0) {
                    return 1;
                }
            }
            out.println("Done. Try: bin/concord inspect " + adapters.get(0) + " --json");
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
