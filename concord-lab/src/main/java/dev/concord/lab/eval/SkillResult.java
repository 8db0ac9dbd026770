package dev.concord.lab.eval;

import java.util.OptionalDouble;

/**
 * A skill's result under a composition.
 *
 * @param score      exact match and token accuracy
 * @param normalized exact match ÷ the own adapter's exact match on the same split; empty when not asked for, when
 *                   no own adapter was found, or when the own adapter's exact match is 0 (the ratio is undefined:
 *                   such a skill is left out of the mean and the worst skill)
 * @param reference  the own adapter's exact match and where it came from, or null when not asked for
 */
public record SkillResult(SkillScore score, OptionalDouble normalized, Reference reference) {
    /** The composition's exact match over the reference's; undefined when the reference is missing or 0. */
    public static OptionalDouble normalize(double exactMatch, Reference reference) {
        if (reference == null || reference.exactMatch().isEmpty() || reference.exactMatch().getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(exactMatch / reference.exactMatch().getAsDouble());
    }
}
