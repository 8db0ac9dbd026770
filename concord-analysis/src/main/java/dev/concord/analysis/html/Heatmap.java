package dev.concord.analysis.html;

import java.util.List;
import java.util.function.DoubleFunction;

/**
 * An n×n pairwise matrix as inline SVG: one cell per pair (the diagonal left blank), adapter names on both axes
 * (only every k-th name when there are too many to read), a colour legend, and the exact value of every cell in a
 * native SVG tooltip ({@code <title>}).
 */
final class Heatmap {
    private Heatmap() {}

    /**
     * @param values values[i][j], symmetric; NaN where undefined
     * @param diverging true for [−1, 1] (cosine), false for [0, 1]
     */
    static String svg(String title, List<String> names, double[][] values, boolean diverging) {
        int n = names.size();
        int cell = Math.max(4, Math.min(56, 420 / Math.max(1, n)));
        // names at least 11 px apart, or they overlap
        int labelEvery = Math.max(1, (int) Math.ceil(11.0 / cell));
        int maxLabel = names.stream().mapToInt(String::length).max().orElse(1);
        int left = Math.min(180, 10 + 6 * Math.min(maxLabel, 28));
        int top = 30;
        int side = cell * n;
        int legendWidth = 70;
        int width = Math.max(left + side + legendWidth + 20, left + 9 * title.length());
        int height = top + side + left;
        DoubleFunction<String> color = diverging ? ColorScale::diverging : ColorScale::sequential;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
        s.append("<text x=\"").append(left).append("\" y=\"18\" class=\"chart-title\">").append(Html.esc(title))
                .append("</text>");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double v = values[i][j];
                s.append("<rect class=\"cell\" x=\"").append(left + j * cell).append("\" y=\"").append(top + i * cell)
                        .append("\" width=\"").append(cell).append("\" height=\"").append(cell)
                        .append("\" fill=\"").append(color.apply(v)).append("\"><title>")
                        .append(Html.esc(names.get(i))).append(" × ").append(Html.esc(names.get(j))).append(": ")
                        .append(Html.num(v)).append("</title></rect>");
            }
        }
        s.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(side)
                .append("\" height=\"").append(side).append("\" fill=\"none\" stroke=\"#888\"/>");
        for (int i = 0; i < n; i += labelEvery) {
            String label = names.get(i).length() > 28 ? names.get(i).substring(0, 27) + "…" : names.get(i);
            double y = top + i * cell + cell / 2.0 + 4;
            s.append("<text class=\"axis-label\" x=\"").append(left - 4).append("\" y=\"").append(Html.px(y))
                    .append("\" text-anchor=\"end\">").append(Html.esc(label)).append("</text>");
            double x = left + i * cell + cell / 2.0;
            s.append("<text class=\"axis-label\" transform=\"translate(").append(Html.px(x + 4)).append(',')
                    .append(top + side + 4).append(") rotate(-90)\" text-anchor=\"end\">").append(Html.esc(label))
                    .append("</text>");
        }
        // legend
        int lx = left + side + 20;
        int steps = 20;
        double lo = diverging ? -1 : 0;
        for (int k = 0; k < steps; k++) {
            double v = 1 - (double) k / (steps - 1) * (1 - lo);
            s.append("<rect x=\"").append(lx).append("\" y=\"").append(top + k * 8).append("\" width=\"14\" height=\"8\" fill=\"")
                    .append(color.apply(v)).append("\"/>");
        }
        s.append("<text class=\"axis-label\" x=\"").append(lx + 18).append("\" y=\"").append(top + 8).append("\">1</text>");
        s.append("<text class=\"axis-label\" x=\"").append(lx + 18).append("\" y=\"").append(top + steps * 8)
                .append("\">").append(diverging ? "−1" : "0").append("</text>");
        s.append("</svg>");
        return s.toString();
    }
}
