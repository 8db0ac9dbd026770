package dev.concord.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;

/** Entry point of {@code bin/concord}: runs one command and exits with its status (0 ok, 1 failure, 2 bad input). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in this JVM with the process's stdout and stderr. */
    public static int run(String... args) {
        return run(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true), args);
    }

    /** Runs a command line in this JVM, writing to the given streams (tests capture them). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new ConcordCommand());
        cl.setOut(out);
        cl.setErr(err);
        ErrorReporter errors = new ErrorReporter(debug);
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return errors.outOfMemory(e);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
