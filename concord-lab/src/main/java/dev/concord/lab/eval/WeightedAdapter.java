package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import dev.concord.merge.AdapterInput;
import java.nio.file.Path;

/**
 * A PEFT adapter directory and its weight in a composition, as {@code --adapter PATH[:W]} gives it (the weight
 * follows the last {@code :} only when that suffix is a plain decimal, exactly as {@code concord merge} reads it).
 *
 * @param spelling how the user wrote it, for messages and the JSON echo
 * @param path     the adapter directory
 * @param weight   its weight (default 1)
 */
public record WeightedAdapter(String spelling, Path path, double weight) {
    public WeightedAdapter {
        if (path == null) {
            throw new InvalidInputException("an adapter needs a path");
        }
        if (!Double.isFinite(weight)) {
            throw new InvalidInputException("--adapter " + spelling + ": weight must be finite, got " + weight);
        }
    }

    public static WeightedAdapter of(Path path, double weight) {
        return new WeightedAdapter(path.toString(), path, weight);
    }

    public static WeightedAdapter parse(String argument) {
        AdapterInput in = AdapterInput.parse(argument);
        return new WeightedAdapter(in.spelling(), in.path(), in.weight());
    }

    /** The adapter's directory name: what {@code --route} and the reference lookup match skill names against. */
    public String name() {
        Path name = path.toAbsolutePath().normalize().getFileName();
        return name == null ? path.toString() : name.toString();
    }

    AdapterInput toMergeInput() {
        return new AdapterInput(spelling, path, weight);
    }
}
