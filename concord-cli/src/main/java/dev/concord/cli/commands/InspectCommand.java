package dev.concord.cli.commands;

import dev.concord.cli.JsonOutput;
import dev.concord.error.InvalidInputException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code concord inspect PATH}: what a PEFT adapter or a Hugging Face model directory holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describe a PEFT LoRA adapter directory or a Hugging Face model directory.",
                "Adapter: base model, ranks and alphas (with patterns), scaling, targets, layers, parameters, per-module ||tau||.",
                "Model: architecture, dimensions, parameter count, dtypes, shards."})
public final class InspectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "Adapter directory (adapter_config.json) or model directory (config.json).")
    Path path;

    @CommandLine.Mixin
    JsonOutput json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(path)) {
            throw new InvalidInputException(path + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            throw new InvalidInputException(path + ": not a directory (inspect takes an adapter or a model directory)");
        }
        Map<String, Object> j;
        Runnable table;
        if (Files.exists(path.resolve("adapter_config.json"))) {
            j = AdapterInspection.describe(path);
            table = () -> AdapterInspection.print(j, out);
        } else if (Files.exists(path.resolve("config.json"))) {
            j = ModelInspection.describe(path);
            table = () -> ModelInspection.print(j, out);
        } else {
            throw new InvalidInputException(path + ": neither a PEFT adapter (adapter_config.json) nor a Hugging Face model (config.json)");
        }
        json.emit(j, out, table);
        return 0;
    }
}
