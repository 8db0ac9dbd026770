package dev.concord.merge.elementwise;

import java.util.Locale;

/** How entries that survive a random drop are scaled back up. */
public enum Rescale {
    /** Divide by the keep probability (DARE: 1/density; DELLA: 1/p of each entry). */
    INVERSE,
    /** Restore the tensor's L1 norm (mergekit's {@code rescale: true}). */
    L1,
    /** No rescaling (mergekit's {@code rescale: false}). */
    NONE;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Rescale of(String cli) {
        return valueOf(cli.toUpperCase(Locale.ROOT));
    }
}
