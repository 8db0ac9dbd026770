package dev.concord.lab.suite;

import dev.concord.error.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The splits a suite may hold, each stored as {@code <skill>/<name>.jsonl}. */
public enum Split {
    /** Optional in a suite: the lab generates its training data from seeds instead of storing it. */
    TRAIN,
    VALIDATION,
    TEST,
    /** Out of distribution: longer inputs than any training, validation or test item. */
    OOD;

    /** The split's name as used on the command line and in file names, e.g. {@code validation}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String fileName() {
        return id() + ".jsonl";
    }

    /** The split called {@code id}; an unknown name is bad input. */
    public static Split byId(String id) {
        for (Split s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new InvalidInputException("unknown split '" + id + "' (known: "
                + Arrays.stream(values()).map(Split::id).collect(Collectors.joining(", ")) + ")");
    }
}
