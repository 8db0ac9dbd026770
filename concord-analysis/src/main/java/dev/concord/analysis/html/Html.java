package dev.concord.analysis.html;

import java.util.Locale;

/** Escaping and number formatting for the report; everything user-controlled (names, paths) goes through here. */
final class Html {
    private Html() {}

    /** Text or attribute content with &amp;, &lt;, &gt; and quotes escaped. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number for people: "–" when undefined, else 3 significant decimals or scientific notation. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** A coordinate for SVG: one decimal, no locale surprises. */
    static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
