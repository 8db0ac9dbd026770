package dev.concord.lab.suite;

import java.util.regex.Pattern;

/**
 * The on-disk layout of a suite (documented in docs/lab.md):
 *
 * <pre>
 * DIR/suite.json                 optional manifest: {"format":"concord-suite","version":1,"skills":[...],"seed":N}
 * DIR/&lt;skill&gt;/test.jsonl          one item per line: {"skill":"rot3","prompt":"&lt;rot3&gt;abc\n","answer":"def"}
 * DIR/&lt;skill&gt;/validation.jsonl
 * DIR/&lt;skill&gt;/ood.jsonl
 * DIR/&lt;skill&gt;/train.jsonl         optional
 * </pre>
 */
final class SuiteLayout {
    private SuiteLayout() {}

    static final String MANIFEST = "suite.json";
    static final String FORMAT = "concord-suite";
    static final int VERSION = 1;
    /** Skill names are directory names (and adapter directory names): no separators, no leading dot. */
    static final Pattern SKILL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Longest accepted JSONL line, in bytes: far above any real item, low enough to bound memory. */
    static final int MAX_LINE = 1 << 20;
}
