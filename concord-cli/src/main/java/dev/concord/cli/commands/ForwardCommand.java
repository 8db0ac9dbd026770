package dev.concord.cli.commands;

import dev.concord.error.InvalidInputException;
import dev.concord.model.engine.ModelRuntime;
import dev.concord.model.engine.Sequence;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord forward}: the logits of a model (with adapters) at every position of a token sequence, written as
 * one F32 tensor {@code logits} [T, vocab_size] in a new safetensors file. The ids are used exactly as given: no
 * BOS is added.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run the model on token ids and write the logits at every position to a safetensors file",
                "(one F32 tensor 'logits' of shape [T, vocab_size]). No BOS is added: the ids are used as given."})
public final class ForwardCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokens", required = true, paramLabel = "IDS", description = "Comma-separated token ids, e.g. 1,2,3.")
    String tokens;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output safetensors file (must not exist).")
    Path out;

    @Override
    public Integer call() {
        int[] ids = parseTokens(tokens);
        if (Files.exists(out)) {
            throw new InvalidInputException(out + ": already exists (forward writes a new file)");
        }
        long start = System.nanoTime();
        float[] logits;
        int vocab;
        try (ModelRuntime runtime = modelOptions.open(); Sequence seq = runtime.newSequence()) {
            vocab = runtime.engine().config().vocabSize();
            logits = runtime.engine().forwardAll(seq, ids);
        }
        SafetensorsWriter.write(out, List.of(TensorData.ofFloats("logits", DType.F32, new long[] {ids.length, vocab},
                logits)), Map.of("format", "pt"));
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "wrote logits [%d, %d] to %s (%.0f ms)%n", ids.length, vocab, out,
                (System.nanoTime() - start) / 1e6);
        err.flush();
        return 0;
    }

    /** Parses {@code 1,2,3} (spaces allowed); an empty list or a non-integer is bad input. */
    static int[] parseTokens(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidInputException("--tokens: empty token list (give at least one id, e.g. --tokens 1,2,3)");
        }
        String[] parts = trimmed.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                ids[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--tokens: '" + p + "' at index " + i + " is not a token id "
                        + "(expected comma-separated integers)");
            }
        }
        return ids;
    }
}
