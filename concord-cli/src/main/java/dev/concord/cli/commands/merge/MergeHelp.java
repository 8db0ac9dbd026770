package dev.concord.cli.commands.merge;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ParameterDef;
import java.util.ArrayList;
import java.util.List;

/** The method list of {@code concord merge --help}: every registered method, what it does, its parameters and defaults. */
public final class MergeHelp {
    private MergeHelp() {}

    static final int WIDTH = 79;
    static final int INDENT = 20;

    public static String[] footer() {
        List<String> lines = new ArrayList<>();
        for (MergeMethod m : MethodRegistry.all()) {
            wrap(lines, String.format("  %-" + (INDENT - 3) + "s ", m.name()), m.summary());
            List<String> defaults = new ArrayList<>();
            for (ParameterDef d : m.parameters()) {
                if (d.option() != null) {
                    defaults.add(d.option() + " " + d.defaultText());
                }
            }
            if (!defaults.isEmpty()) {
                wrap(lines, " ".repeat(INDENT), "defaults: " + String.join(", ", defaults));
            }
        }
        lines.add("");
        lines.add("Exit codes: 0 ok, 1 failure, 2 bad input. docs/merge-methods.md gives every formula.");
        return lines.toArray(String[]::new);
    }

    /** Word-wraps {@code text} after {@code first}, continuation lines indented to the text column. */
    static void wrap(List<String> lines, String first, String text) {
        StringBuilder line = new StringBuilder(first);
        for (String word : text.split(" ")) {
            if (line.length() > INDENT && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(" ".repeat(INDENT));
            } else if (line.length() > INDENT && !line.toString().endsWith(" ")) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
    }
}
