package dev.concord.analysis.html;

import java.util.List;

/**
 * Grouped vertical bars as inline SVG: one group per category (an adapter), one bar per series (a merge method),
 * a reference line (retention 1 = the adapter's full effect), tooltips with the exact values, and a legend.
 */
final class BarChart {
    record Series(String name, double[] values) {}

    private BarChart() {}

    static String svg(String title, String yLabel, List<String> categories, List<Series> series, double reference) {
        int groups = categories.size();
        int bars = Math.max(1, series.size());
        int barWidth = Math.max(3, Math.min(14, 520 / Math.max(1, groups * (bars + 1))));
        int groupWidth = barWidth * (bars + 1);
        int left = 60;
        int top = 30;
        int ph = 200;
        int pw = Math.max(300, groups * groupWidth);
        int longest = 0;
        for (Series se : series) {
            longest = Math.max(longest, se.name().length());
        }
        // legend column wide enough for the longest name (about 6.5 px per character at the legend's 11 px)
        int width = left + pw + 40 + Math.max(110, (int) Math.ceil(longest * 6.5));
        int height = top + ph + 90;
        double max = reference;
        double min = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        double step = Ticks.step(max - min, 5);
        max = Math.ceil(max / step) * step;
        min = Math.floor(min / step) * step;
        double range = max - min;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"barchart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
        s.append("<text x=\"").append(left).append("\" y=\"18\" class=\"chart-title\">").append(Html.esc(title))
                .append("</text>");
        for (double v = min; v <= max + step / 2; v += step) {
            double y = top + ph - (v - min) / range * ph;
            s.append("<line x1=\"").append(left).append("\" x2=\"").append(left + pw).append("\" y1=\"")
                    .append(Html.px(y)).append("\" y2=\"").append(Html.px(y)).append("\" class=\"grid\"/>");
            s.append("<text class=\"axis-label\" x=\"").append(left - 6).append("\" y=\"").append(Html.px(y + 4))
                    .append("\" text-anchor=\"end\">").append(Html.num(v)).append("</text>");
        }
        double zero = top + ph - (0 - min) / range * ph;
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < series.size(); b++) {
                double v = series.get(b).values()[g];
                if (Double.isNaN(v)) {
                    continue;
                }
                double y = top + ph - (v - min) / range * ph;
                double x = left + g * groupWidth + b * barWidth + barWidth / 2.0;
                s.append("<rect class=\"bar\" x=\"").append(Html.px(x)).append("\" y=\"").append(Html.px(Math.min(y, zero)))
                        .append("\" width=\"").append(barWidth - 1).append("\" height=\"")
                        .append(Html.px(Math.abs(zero - y))).append("\" fill=\"").append(ColorScale.series(b))
                        .append("\"><title>").append(Html.esc(categories.get(g))).append(", ")
                        .append(Html.esc(series.get(b).name())).append(": ").append(Html.num(v)).append("</title></rect>");
            }
            if (groups <= 40) {
                double cx = left + g * groupWidth + groupWidth / 2.0;
                String label = categories.get(g).length() > 16 ? categories.get(g).substring(0, 15) + "…" : categories.get(g);
                s.append("<text class=\"axis-label\" transform=\"translate(").append(Html.px(cx + 3)).append(',')
                        .append(top + ph + 6).append(") rotate(-45)\" text-anchor=\"end\">").append(Html.esc(label))
                        .append("</text>");
            }
        }
        double ry = top + ph - (reference - min) / range * ph;
        s.append("<line x1=\"").append(left).append("\" x2=\"").append(left + pw).append("\" y1=\"").append(Html.px(ry))
                .append("\" y2=\"").append(Html.px(ry)).append("\" class=\"reference\"/>");
        s.append("<text class=\"axis-title\" transform=\"translate(14,").append(top + ph / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.esc(yLabel)).append("</text>");
        for (int b = 0; b < series.size(); b++) {
            int ly = top + 10 + b * 16;
            s.append("<rect x=\"").append(left + pw + 12).append("\" y=\"").append(ly - 6).append("\" width=\"12\" height=\"10\" fill=\"")
                    .append(ColorScale.series(b)).append("\"/>");
            s.append("<text class=\"legend\" x=\"").append(left + pw + 30).append("\" y=\"").append(ly + 3).append("\">")
                    .append(Html.esc(series.get(b).name())).append("</text>");
        }
        s.append("</svg>");
        return s.toString();
    }
}
