package dev.concord.merge;

import dev.concord.error.InvalidInputException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * One {@code --adapter PATH[:WEIGHT]} argument. The weight follows the last {@code :} only when that suffix is a
 * plain decimal ({@link Numbers#PLAIN_NUMBER}); anything else (NaN, Infinity, hex floats, a drive letter, a path
 * that merely contains a colon) stays part of the path and the weight is 1.0.
 */
public record AdapterInput(String spelling, Path path, double weight) {
    public static AdapterInput parse(String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new InvalidInputException("--adapter needs a path");
        }
        String pathPart = arg;
        double weight = 1.0;
        int colon = arg.lastIndexOf(':');
        if (colon >= 0 && Numbers.isPlainNumber(arg.substring(colon + 1))) {
            pathPart = arg.substring(0, colon);
            weight = Double.parseDouble(arg.substring(colon + 1));
            if (!Double.isFinite(weight)) {
                throw new InvalidInputException("--adapter " + arg + ": weight " + arg.substring(colon + 1)
                        + " is out of range for a double");
            }
            if (pathPart.isEmpty()) {
                throw new InvalidInputException("--adapter " + arg + ": no path before the weight");
            }
        }
        try {
            return new AdapterInput(pathPart, Path.of(pathPart), weight);
        } catch (InvalidPathException e) {
            throw new InvalidInputException("--adapter " + arg + ": not a valid path (" + e.getMessage() + ")");
        }
    }
}
