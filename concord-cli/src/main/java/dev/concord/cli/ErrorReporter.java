package dev.concord.cli;

import dev.concord.error.ConcordException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import picocli.CommandLine;

/**
 * Turns every failure into one {@code error: …} line on stderr and an exit code: 2 for bad input or usage, 1 for
 * anything else. Stack traces only with {@code --debug}: users should read what is wrong, not where in our code.
 */
final class ErrorReporter implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    private final boolean debug;

    ErrorReporter(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("error: " + oneLine(ex.getMessage()) + " (see 'concord "
                + commandPath(ex.getCommandLine()) + "--help')");
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        int code;
        String message;
        Throwable cause = unwrap(ex);
        if (cause instanceof ConcordException ce) {
            code = ce.exitCode();
            message = ce.getMessage();
        } else if (cause instanceof AccessDeniedException ade) {
            code = BAD_INPUT;
            message = ade.getFile() + ": permission denied";
        } else if (cause instanceof FileSystemException fse) {
            code = FAILURE;
            message = fse.getMessage();
        } else if (cause instanceof CommandLine.ParameterException pe) {
            code = BAD_INPUT;
            message = pe.getMessage();
        } else {
            code = FAILURE;
            message = "internal error: " + cause + " (please report it; --debug shows where)";
        }
        err.println("error: " + oneLine(message));
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    int outOfMemory(OutOfMemoryError e) {
        Runtime rt = Runtime.getRuntime();
        System.err.println("error: out of memory (Java heap limit " + rt.maxMemory() / (1 << 20)
                + " MiB; raise it with CONCORD_JAVA_OPTS=-Xmx…): " + e.getMessage());
        return FAILURE;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof UncheckedIOException || c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) {
            sb.insert(0, c.getCommandName() + " ");
        }
        return sb.toString();
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.replace("\r", " ").replace("\n", " ").trim();
    }
}
