package dev.concord.cli.commands;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code concord lab <what>}: the built-in laboratory (docs/lab.md). */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "The built-in laboratory: a tiny base model and skill adapters trained by Concord (docs/lab.md).",
        subcommands = {LabBuildCommand.class})
public final class LabCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing lab command (e.g. 'concord lab build')");
    }
}
