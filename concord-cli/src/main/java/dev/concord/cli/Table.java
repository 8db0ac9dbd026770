package dev.concord.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns; numbers right-aligned. */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private boolean alignNumbers = true;

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    /** Left-aligns every cell: for key/value tables, where a right-aligned number would float away from its key. */
    public Table leftAligned() {
        alignNumbers = false;
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintWriter out) {
        int n = headers.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < n && i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        line(out, headers, w, false);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        out.println(rule);
        for (List<String> r : rows) {
            line(out, r, w, alignNumbers);
        }
    }

    private static void line(PrintWriter out, List<String> cells, int[] w, boolean alignNumbers) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            if (i > 0) {
                sb.append("  ");
            }
            boolean numeric = alignNumbers && c.matches("-?[0-9][0-9.,eE+-]*%?");
            String pad = " ".repeat(w[i] - c.length());
            sb.append(numeric ? pad + c : c + (i == w.length - 1 ? "" : pad));
        }
        out.println(sb.toString().stripTrailing());
    }
}
