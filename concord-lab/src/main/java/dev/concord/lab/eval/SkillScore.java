package dev.concord.lab.eval;

import java.util.List;

/**
 * A skill's scores on one split.
 *
 * @param items           items evaluated
 * @param exactMatches    items whose greedy answer equals the reference exactly
 * @param correctTokens   reference tokens predicted right under teacher forcing, over all items
 * @param referenceTokens reference tokens (each item's answer tokens and its end-of-sequence token), over all items
 */
public record SkillScore(int items, int exactMatches, long correctTokens, long referenceTokens) {
    public SkillScore {
        if (items < 0 || exactMatches < 0 || exactMatches > items || correctTokens < 0
                || correctTokens > referenceTokens) {
            throw new IllegalArgumentException("inconsistent counts: " + exactMatches + "/" + items + " exact, "
                    + correctTokens + "/" + referenceTokens + " tokens");
        }
    }

    public static SkillScore of(List<ItemOutcome> outcomes) {
        int exact = 0;
        long correct = 0;
        long reference = 0;
        for (ItemOutcome o : outcomes) {
            exact += o.exactMatch() ? 1 : 0;
            correct += o.correctTokens();
            reference += o.referenceTokens();
        }
        return new SkillScore(outcomes.size(), exact, correct, reference);
    }

    /** Fraction of items answered exactly (0 for no items). */
    public double exactMatch() {
        return items == 0 ? 0 : (double) exactMatches / items;
    }

    /** Fraction of reference tokens predicted right at their position (pooled over the items). */
    public double tokenAccuracy() {
        return referenceTokens == 0 ? 0 : (double) correctTokens / referenceTokens;
    }
}
