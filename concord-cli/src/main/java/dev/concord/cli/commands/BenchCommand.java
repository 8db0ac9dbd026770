package dev.concord.cli.commands;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code concord bench <what>}: the benchmarks whose numbers docs/benchmarks.md reports, with the exact commands. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark (see docs/benchmarks.md for recorded results).",
        subcommands = {BenchForwardCommand.class, dev.concord.cli.commands.merge.BenchMergeCommand.class,
                dev.concord.cli.commands.analyze.BenchAnalyzeCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark (e.g. 'concord bench forward')");
    }
}
