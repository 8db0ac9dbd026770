package dev.concord.error;

/**
 * The machine could not give what was asked for: memory, a memory map, disk space. Exit code 1; the message
 * states the size that was requested so the user can judge whether the input or the machine is at fault.
 */
public class ResourceException extends ConcordException {
    public ResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
