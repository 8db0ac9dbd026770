package dev.concord.cli.commands.merge;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ParameterDef;
import java.util.ArrayList;
import java.util.List;

/** The method list of {@code concord merge --help}: every registered method, what it does, its parameters and defaults. */
public final class MergeHelp {
    private MergeHelp() {}

    public static String[] footer() {
        List<String> lines = new ArrayList<>();
        for (MergeMethod m : MethodRegistry.all()) {
            lines.add(String.format("  %-17s %s", m.name(), m.summary()));
            StringBuilder p = new StringBuilder();
            for (ParameterDef d : m.parameters()) {
                if (d.option() == null) {
                    continue;
                }
                if (!p.isEmpty()) {
                    p.append(", ");
                }
                p.append(d.option()).append(' ').append(d.defaultText());
            }
            if (!p.isEmpty()) {
                lines.add(String.format("  %-17s   defaults: %s", "", p));
            }
        }
        lines.add("");
        lines.add("Exit codes: 0 ok, 1 failure, 2 bad input. docs/merge-methods.md gives every formula.");
        return lines.toArray(String[]::new);
    }
}
