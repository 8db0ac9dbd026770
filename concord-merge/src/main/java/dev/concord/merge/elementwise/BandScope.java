package dev.concord.merge.elementwise;

import java.util.Locale;

/** Over which group Breadcrumbs and DELLA rank magnitudes: each row (the papers) or the whole tensor (mergekit's Breadcrumbs). */
public enum BandScope {
    ROW,
    TENSOR;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BandScope of(String cli) {
        return valueOf(cli.toUpperCase(Locale.ROOT));
    }
}
