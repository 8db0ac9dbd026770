package dev.concord.merge;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The Concord version stamped into this module at build time, recorded in every merge report. */
public final class ConcordVersion {
    private ConcordVersion() {}

    public static String get() {
        Properties p = new Properties();
        try (InputStream in = ConcordVersion.class.getResourceAsStream("concord-merge.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // informative only
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }
}
