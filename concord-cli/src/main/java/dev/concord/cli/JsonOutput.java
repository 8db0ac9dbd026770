package dev.concord.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.concord.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code --json [FILE]} convention shared by every command: {@code --json} alone prints JSON to stdout
 * instead of the table; {@code --json FILE} writes the JSON to FILE and still prints the table.
 */
public final class JsonOutput {
    static final String STDOUT = "-";
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Option(names = "--json", arity = "0..1", paramLabel = "FILE",
            parameterConsumer = OptionalFileConsumer.class,
            description = "Print JSON to stdout instead of the table; with FILE, write the JSON there as well.")
    String target;

    public boolean toStdout() {
        return STDOUT.equals(target);
    }

    public boolean toFile() {
        return target != null && !toStdout();
    }

    /** Prints the table unless JSON goes to stdout, and the JSON wherever it was asked for. */
    public void emit(Object json, PrintWriter out, Runnable printTable) {
        if (toStdout()) {
            out.println(render(json));
            out.flush();
            return;
        }
        if (toFile()) {
            AtomicFiles.writeString(Path.of(target), render(json) + "\n");
        }
        printTable.run();
        out.flush();
    }

    public static String render(Object json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /**
     * Takes the next argument as FILE only when it cannot be one of the command's inputs: not an option and not an
     * existing directory (adapters and models are directories), so {@code inspect --json DIR} still inspects DIR.
     */
    public static final class OptionalFileConsumer implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            String value = STDOUT;
            if (!args.isEmpty()) {
                String next = args.peek();
                boolean option = next.startsWith("-") && !next.equals("-");
                if (!option && !Files.isDirectory(Path.of(next))) {
                    value = args.pop();
                }
            }
            argSpec.setValue(value);
        }
    }
}
