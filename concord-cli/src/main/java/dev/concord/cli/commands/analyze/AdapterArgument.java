package dev.concord.cli.commands.analyze;

import dev.concord.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One ADAPTER argument of {@code concord analyze}: {@code PATH} (named after its directory) or {@code NAME=PATH}.
 * An argument that is an existing directory is always a path, so directories whose names contain '=' still work.
 */
public record AdapterArgument(String name, Path path) {

    public static AdapterArgument parse(String arg) {
        Path whole = Path.of(arg);
        int eq = arg.indexOf('=');
        if (Files.isDirectory(whole) || eq < 0) {
            Path file = whole.toAbsolutePath().normalize().getFileName();
            if (file == null) {
                throw new InvalidInputException(arg + ": an adapter directory cannot be the file system root");
            }
            return new AdapterArgument(file.toString(), whole);
        }
        String name = arg.substring(0, eq).trim();
        String path = arg.substring(eq + 1);
        if (name.isEmpty() || path.isEmpty()) {
            throw new InvalidInputException("'" + arg + "': expected NAME=PATH with a non-empty name and path");
        }
        return new AdapterArgument(name, Path.of(path));
    }

    /**
     * @throws InvalidInputException naming both arguments when two adapters get the same name
     */
    public static void checkDistinct(List<AdapterArgument> args) {
        Map<String, AdapterArgument> seen = new HashMap<>();
        for (AdapterArgument a : args) {
            AdapterArgument before = seen.putIfAbsent(a.name(), a);
            if (before != null) {
                throw new InvalidInputException("two adapters are named '" + a.name() + "' (" + before.path() + " and "
                        + a.path() + "); name them apart with NAME=PATH");
            }
        }
    }
}
