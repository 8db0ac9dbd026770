package dev.concord.model.lora;

import dev.concord.error.InvalidInputException;
import java.nio.file.Path;

/**
 * An adapter named on the command line, {@code PATH[:W]}: a PEFT adapter directory and its weight in the mix
 * (default 1). The weight is split off at the last colon only when what follows parses as a number, so paths
 * containing colons still work.
 */
public record AdapterSpec(Path path, float weight) {
    public static AdapterSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("--adapter needs PATH or PATH:WEIGHT, got an empty value");
        }
        int colon = text.lastIndexOf(':');
        if (colon > 0 && colon < text.length() - 1) {
            String tail = text.substring(colon + 1);
            try {
                float w = Float.parseFloat(tail);
                if (!Float.isFinite(w)) {
                    throw new InvalidInputException("--adapter " + text + ": weight " + tail + " is not finite");
                }
                return new AdapterSpec(Path.of(text.substring(0, colon)), w);
            } catch (NumberFormatException notANumber) {
                // the colon belongs to the path
            }
        }
        return new AdapterSpec(Path.of(text), 1f);
    }
}
