package dev.concord.analysis;

import java.util.Locale;

/** What the risk score says about merging a set of adapters into one update. */
public enum Verdict {
    /** A merge is expected to keep every adapter's effect. */
    COMPATIBLE,
    /** A merge is possible but some adapter is likely to lose part of its effect: validate before shipping. */
    CAUTION,
    /** The adapters fight: serve them separately, or expect one of them to be lost. */
    CONFLICT;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
