package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A merge to run in memory with one of {@code concord merge}'s methods, then evaluate.
 *
 * @param method     the registered method name ({@code linear}, {@code ties}, …)
 * @param adapters   the inputs with their weights
 * @param parameters method parameters by name as {@code concord merge} names them ({@code density},
 *                   {@code majority_sign}, …), values as the command line spells them (strings) or numbers
 * @param seed       seed of random masks and sketches
 * @param output     evaluate the merged update itself ({@link Output#DELTA}) or the PEFT adapter
 *                   {@code concord merge --format adapter} would write ({@link Output#ADAPTER}: dense results cut
 *                   to a rank by SVD)
 * @param rank       the adapter output's rank ({@code --rank}), or null for merge's default
 */
public record MergeSpec(String method, List<WeightedAdapter> adapters, Map<String, Object> parameters, long seed,
        Output output, Integer rank) {
    /** Which result of the merge is evaluated. */
    public enum Output {
        /** The method's merged update, exactly (what {@code --format delta} and {@code --format model} hold). */
        DELTA,
        /** The PEFT adapter {@code --format adapter} writes: exact for factored results, SVD-truncated otherwise. */
        ADAPTER
    }

    public MergeSpec {
        if (method == null || method.isBlank()) {
            throw new InvalidInputException("a merge needs a method name");
        }
        if (adapters == null || adapters.isEmpty()) {
            throw new InvalidInputException("--merge " + method + " needs at least one --adapter PATH[:W]");
        }
        adapters = List.copyOf(adapters);
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        if (output == null) {
            output = Output.DELTA;
        }
        if (rank != null && rank < 1) {
            throw new InvalidInputException("--rank must be at least 1, got " + rank);
        }
    }

    /** A delta merge with default seed and no parameters beyond {@code parameters}. */
    public static MergeSpec of(String method, List<WeightedAdapter> adapters, Map<String, Object> parameters) {
        return new MergeSpec(method, adapters, parameters, 0, Output.DELTA, null);
    }
}
