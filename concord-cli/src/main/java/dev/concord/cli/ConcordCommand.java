package dev.concord.cli;

import dev.concord.cli.commands.DemoCommand;
import dev.concord.cli.commands.InspectCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command: {@code concord <command>}. */
@Command(
        name = "concord",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Compose LoRA adapters: predict conflicts, merge exactly, serve on CPU."},
        subcommands = {InspectCommand.class, DemoCommand.class, dev.concord.cli.commands.TokenizeCommand.class, dev.concord.cli.commands.ForwardCommand.class, dev.concord.cli.commands.GenerateCommand.class, dev.concord.cli.commands.BenchCommand.class, dev.concord.cli.commands.MergeCommand.class, dev.concord.cli.commands.AnalyzeCommand.class, dev.concord.cli.commands.EvalCommand.class, dev.concord.cli.commands.LabCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'concord <command> --help' for a command's options. Exit codes: 0 ok, 1 failure, 2 bad input."})
public final class ConcordCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors (for bug reports).")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
