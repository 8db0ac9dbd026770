package dev.concord.cli.commands;

import dev.concord.cli.JsonOutput;
import dev.concord.error.InvalidInputException;
import dev.concord.model.engine.ModelRuntime;
import dev.concord.model.sample.GenerationResult;
import dev.concord.model.sample.Generator;
import dev.concord.model.sample.SamplingParams;
import dev.concord.model.sample.StopTokens;
import dev.concord.model.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord generate}: continues a prompt, streaming the text to stdout. The prompt is tokenized with the
 * special tokens the tokenizer's post-processor adds (e.g. BOS). {@code --json} prints instead one object with the
 * text, the generated ids and the prefill and decode speeds.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text from a prompt with a model and optional LoRA adapters, streaming it to stdout.",
                "Default decoding is greedy (--temperature 0); sampling is seeded (--seed)."})
public final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json (default: the model's).")
    Path tokenizerFile;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "Most tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "Sampling temperature; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Keep the K most likely tokens (0: all). Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Nucleus sampling: keep the most likely tokens up to probability P. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--stop", paramLabel = "S", description = "Stop before this string (repeatable).")
    List<String> stops = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @CommandLine.Mixin
    JsonOutput json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SamplingParams sampling = new SamplingParams(temperature, topK, topP, seed);
        if (maxTokens < 0) {
            throw new InvalidInputException("--max-tokens must be >= 0, got " + maxTokens);
        }
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new InvalidInputException("--stop: a stop string cannot be empty");
            }
        }
        Path tokFile = tokenizerFile != null ? tokenizerFile : modelOptions.model.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokFile)) {
            throw new InvalidInputException(tokFile + ": no such file (generate needs the model's tokenizer.json; "
                    + "pass --tokenizer FILE)");
        }
        Tokenizer tokenizer = Tokenizer.load(tokFile);
        GenerationResult result;
        try (ModelRuntime runtime = modelOptions.open()) {
            int[] ids = tokenizer.encode(prompt, true);
            Generator generator = new Generator(runtime.engine(), tokenizer,
                    StopTokens.of(modelOptions.model, runtime.engine().config(), tokenizer));
            Consumer<String> stream = json.toStdout() ? s -> { } : s -> {
                out.print(s);
                out.flush();
            };
            result = generator.generate(ids, runtime.sequenceAdapters(), sampling, maxTokens, stops, stream);
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("text", result.text());
        j.put("tokens", result.tokens());
        j.put("prefill_tokens_per_s", result.prefillTokensPerSecond());
        j.put("decode_tokens_per_s", result.decodeTokensPerSecond());
        j.put("prompt_tokens", result.promptTokens());
        j.put("finish_reason", result.finishReason());
        json.emit(j, out, () -> out.println());
        return 0;
    }
}
