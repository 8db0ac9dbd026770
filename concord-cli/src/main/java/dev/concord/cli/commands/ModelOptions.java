package dev.concord.cli.commands;

import dev.concord.error.InvalidInputException;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.ModelRuntime;
import dev.concord.model.lora.AdapterSpec;
import dev.concord.model.weights.Quantization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options that say which model to run and how: shared by {@code forward} and {@code generate}. */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory (config.json and safetensors weights).")
    Path model;

    @Option(names = "--adapter", paramLabel = "PATH[:W]",
            description = "PEFT LoRA adapter directory, optionally with a weight (default 1). Repeat to mix adapters: "
                    + "y = W x + sum of W_a * s_a * B_a A_a x.")
    List<String> adapters = new ArrayList<>();

    @Option(names = "--quantize", paramLabel = "none|q8_0", defaultValue = "none",
            description = "Quantize the projections at load (q8_0: 8-bit blocks, as llama.cpp). Default: ${DEFAULT-VALUE}.")
    String quantize;

    @Option(names = "--merge",
            description = "Fold the adapters into the weights once (float32) instead of applying them at every step.")
    boolean merge;

    @Option(names = "--threads", paramLabel = "N",
            description = "Compute threads (default: all available processors).")
    Integer threads;

    List<AdapterSpec> adapterSpecs() {
        List<AdapterSpec> out = new ArrayList<>();
        for (String a : adapters) {
            out.add(AdapterSpec.parse(a));
        }
        return out;
    }

    EngineOptions engineOptions() {
        EngineOptions o = EngineOptions.defaults();
        if (threads != null) {
            if (threads < 1) {
                throw new InvalidInputException("--threads must be >= 1, got " + threads);
            }
            o = o.withThreads(threads);
        }
        return o;
    }

    ModelRuntime open() {
        if (!Files.isDirectory(model)) {
            throw new InvalidInputException(model + ": " + (Files.exists(model) ? "not a directory" : "no such directory")
                    + " (--model takes a Hugging Face model directory)");
        }
        return ModelRuntime.open(model, adapterSpecs(), Quantization.parse(quantize),
                merge ? ModelRuntime.LoraMode.MERGED : ModelRuntime.LoraMode.UNMERGED, engineOptions());
    }
}
