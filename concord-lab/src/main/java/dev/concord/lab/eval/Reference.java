package dev.concord.lab.eval;

import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The exact match of a skill's own adapter on the split being evaluated: the denominator of the skill's
 * normalized accuracy.
 *
 * @param exactMatch the own adapter's exact match, empty when no own adapter was found
 * @param source     where the number comes from
 * @param adapter    the own adapter's directory, or null when none was found
 * @param items      items the number was measured on (from eval.json: the items recorded there)
 */
public record Reference(OptionalDouble exactMatch, Source source, Path adapter, int items) {
    /** Where a reference number comes from. */
    public enum Source {
        /** The adapter directory's eval.json (written by {@code concord lab build}). */
        EVAL_JSON,
        /** Measured in this run on the same items as the composition. */
        MEASURED,
        /** No adapter named after the skill was found: the skill has no normalized accuracy. */
        NOT_FOUND;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Reference notFound() {
        return new Reference(OptionalDouble.empty(), Source.NOT_FOUND, null, 0);
    }
}
