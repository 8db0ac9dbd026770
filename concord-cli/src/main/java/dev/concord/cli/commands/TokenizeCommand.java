package dev.concord.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import dev.concord.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord tokenize}: Hugging Face tokenizer.json encoding and decoding. stdout holds only the JSON (or the
 * decoded text), so scripts can parse it; like HF's {@code encode}, special-token strings inside the text are
 * matched as tokens, while BOS/EOS are added only with {@code --add-special-tokens}.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Encode text to token ids (a JSON array on stdout) or decode ids to text, exactly as",
                "Hugging Face tokenizers does for the model's tokenizer.json."})
public final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "Model directory holding tokenizer.json.")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json file.")
        Path tokenizer;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "Text to encode.")
        String text;

        @Option(names = "--texts-file", paramLabel = "FILE",
                description = "A JSON array of strings; prints a JSON array of id arrays in the same order.")
        Path textsFile;

        @Option(names = "--decode", paramLabel = "IDS", split = ",",
                description = "Comma-separated ids to decode; prints the raw text (special tokens kept).")
        List<String> decode;
    }

    @Option(names = "--add-special-tokens",
            description = "Add the special tokens of tokenizer.json's post-processor (e.g. BOS), as HF's encode(add_special_tokens=True).")
    boolean addSpecialTokens;

    @Override
    public Integer call() throws IOException {
        Path file = source.tokenizer != null ? source.tokenizer : source.model.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": no such tokenizer file");
        }
        Tokenizer tok = Tokenizer.load(file);
        PrintWriter out = spec.commandLine().getOut();
        if (input.decode != null) {
            out.print(tok.decode(parseIds(input.decode, tok)));
            out.println();
        } else if (input.text != null) {
            out.println(JSON.writeValueAsString(tok.encode(input.text, addSpecialTokens)));
        } else {
            List<int[]> all = new ArrayList<>();
            for (String t : readTexts(input.textsFile)) {
                all.add(tok.encode(t, addSpecialTokens));
            }
            out.println(JSON.writeValueAsString(all));
        }
        out.flush();
        return 0;
    }

    private static int[] parseIds(List<String> parts, Tokenizer tok) {
        int[] ids = new int[parts.size()];
        for (int i = 0; i < ids.length; i++) {
            String p = parts.get(i).trim();
            try {
                ids[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--decode: '" + p + "' is not a token id");
            }
            if (ids[i] < 0) {
                throw new InvalidInputException("--decode: token id " + ids[i] + " is negative");
            }
        }
        return ids;
    }

    private static List<String> readTexts(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isArray()) {
            throw new InvalidInputException(file + ": must be a JSON array of strings");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isTextual()) {
                throw new InvalidInputException(file + ": element " + i + " is not a string");
            }
            texts.add(root.get(i).textValue());
        }
        return texts;
    }
}
