package dev.concord.merge.ops;

/**
 * What TIES divides the sum of agreeing (weighted) entries by.
 */
public enum DisjointMean {
    /** max(1, number of agreeing non-zero entries): PEFT's {@code disjoint_merge}. */
    COUNT,
    /** The sum of the weights of agreeing entries (1 where that sum is 0): mergekit with {@code normalize: true}. */
    WEIGHT,
    /** No division, the plain sum of agreeing entries: mergekit with {@code normalize: false}. */
    SUM;

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
