package dev.concord.error;

/**
 * The user gave something Concord cannot accept: a malformed file, an inconsistent config, a bad argument.
 * Exit code 2. Always thrown before any output is written.
 */
public class InvalidInputException extends ConcordException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 2;
    }
}
