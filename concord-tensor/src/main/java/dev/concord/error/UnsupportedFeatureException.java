package dev.concord.error;

/**
 * The input is well-formed but uses something Concord does not support (yet): DoRA, a pickle checkpoint, an
 * unknown architecture. Counts as bad input (exit 2) because the user can act on it; the message names what is
 * supported.
 */
public class UnsupportedFeatureException extends InvalidInputException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
