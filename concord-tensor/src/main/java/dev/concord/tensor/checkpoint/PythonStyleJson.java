package dev.concord.tensor.checkpoint;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Renders maps, lists, strings, numbers, booleans and null the way Python's
 * {@code json.dumps(value, indent=2, sort_keys=True)} does, which is how Hugging Face tools write checkpoint
 * indexes. Keys are sorted by Unicode code point (Python's string order, which differs from
 * {@link String#compareTo} for characters outside the Basic Multilingual Plane).
 */
final class PythonStyleJson {
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private PythonStyleJson() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, 0, out);
        return out.toString();
    }

    private static void write(Object value, int depth, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b ? "true" : "false");
            case Integer _, Long _, Short _, Byte _, BigInteger _ -> out.append(value);
            case BigDecimal d -> out.append(d.toString());
            case Double d -> real(d, out);
            case Float f -> real(f.doubleValue(), out);
            case Map<?, ?> m -> object(m, depth, out);
            case Collection<?> c -> array(c, depth, out);
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void real(double d, StringBuilder out) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "Infinity" : "-Infinity");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            out.append((long) d).append(".0");
        } else {
            out.append(d); // Java and Python spell fractions and exponents differently; no index stores any
        }
    }

    private static void object(Map<?, ?> m, int depth, StringBuilder out) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            keys.add(String.valueOf(k));
        }
        keys.sort(CODE_POINT_ORDER);
        out.append("{\n");
        for (int i = 0; i < keys.size(); i++) {
            indent(depth + 1, out);
            string(keys.get(i), out);
            out.append(": ");
            write(m.get(keys.get(i)), depth + 1, out);
            out.append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        indent(depth, out);
        out.append('}');
    }

    private static void array(Collection<?> c, int depth, StringBuilder out) {
        if (c.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append("[\n");
        int i = 0;
        for (Object v : c) {
            indent(depth + 1, out);
            write(v, depth + 1, out);
            out.append(++i < c.size() ? ",\n" : "\n");
        }
        indent(depth, out);
        out.append(']');
    }

    private static void indent(int depth, StringBuilder out) {
        out.repeat(' ', 2 * depth);
    }

    /** Python's ensure_ascii escaping: printable ASCII stays, everything else becomes \\uXXXX (UTF-16 units). */
    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        out.append('"');
    }
}
