package dev.concord.merge.ops;

/**
 * How TIES elects the sign of each position from the stacked (trimmed) task vectors. Zero entries vote nothing,
 * and a tie of the vote (sum exactly 0) elects +, as in PEFT's {@code calculate_majority_sign_mask} and
 * mergekit's {@code get_mask} ({@code sign_magnitude >= 0}).
 */
public enum MajoritySign {
    /** Sign of the sum of the entries (PEFT "total", mergekit "sum"; the TIES paper's rule). */
    TOTAL,
    /** Sign of the sum of the entries' signs (PEFT "frequency", mergekit "count"). */
    FREQUENCY;

    /** The CLI / config spelling. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
