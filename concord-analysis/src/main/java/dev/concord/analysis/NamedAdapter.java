package dev.concord.analysis;

import dev.concord.adapter.LoraAdapter;
import dev.concord.error.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An adapter as the analysis names it: by default its directory name, or the NAME of a {@code NAME=PATH} argument.
 * The caller keeps ownership of the (open) adapter and closes it.
 */
public record NamedAdapter(String name, LoraAdapter adapter) {
    public NamedAdapter {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("an adapter needs a non-empty name (" + adapter.directory() + ")");
        }
    }

    /**
     * @throws InvalidInputException if the list is empty or two adapters share a name
     */
    public static void checkNames(List<NamedAdapter> adapters) {
        if (adapters.isEmpty()) {
            throw new InvalidInputException("analyze needs at least one adapter");
        }
        Set<String> seen = new HashSet<>();
        for (NamedAdapter a : adapters) {
            if (!seen.add(a.name())) {
                throw new InvalidInputException("two adapters are named '" + a.name()
                        + "'; give one of them another name with NAME=PATH");
            }
        }
    }
}
