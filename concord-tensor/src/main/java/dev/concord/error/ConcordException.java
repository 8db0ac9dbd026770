package dev.concord.error;

/**
 * Root of Concord's failures. The CLI maps {@link #exitCode()} to the process exit status and prints only
 * {@link #getMessage()} as one {@code error: …} line, so messages must say what is wrong and where, without
 * relying on a stack trace.
 */
public class ConcordException extends RuntimeException {
    public ConcordException(String message) {
        super(message);
    }

    public ConcordException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 1: a runtime failure (I/O, resources, internal error). Subclasses for bad input return 2. */
    public int exitCode() {
        return 1;
    }
}
