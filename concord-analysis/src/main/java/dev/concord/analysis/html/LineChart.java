package dev.concord.analysis.html;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart as inline SVG: x and y axes with ticks, one polyline (with point markers and tooltips) per series,
 * and a legend. The y axis is linear over a given range, or logarithmic (for singular-value spectra). NaN points
 * break a line.
 */
final class LineChart {
    /** One named line: points (x[i], y[i]). */
    record Series(String name, double[] x, double[] y) {}

    private LineChart() {}

    /** "0.500" → "0.5", "1.000" → "1". */
    private static String trimZeros(String s) {
        if (!s.contains(".") || s.contains("e")) {
            return s;
        }
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String svg(String title, String xLabel, String yLabel, List<Series> series, double yMin, double yMax,
            boolean logY) {
        int width = 640;
        int height = 300;
        int left = 60;
        int right = 170;
        int top = 30;
        int bottom = 45;
        int pw = width - left - right;
        int ph = height - top - bottom;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double x : s.x()) {
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
        }
        if (!(xMax > xMin)) {
            xMin = Double.isFinite(xMin) ? xMin - 1 : 0;
            xMax = xMin + 2;
        }
        double lo = logY ? Math.log10(yMin) : yMin;
        double hi = logY ? Math.log10(yMax) : yMax;
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"linechart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
        s.append("<text x=\"").append(left).append("\" y=\"18\" class=\"chart-title\">").append(Html.esc(title))
                .append("</text>");
        s.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"#fff\" stroke=\"#bbb\"/>");
        // y ticks: round steps on a linear axis, powers of ten (and their halves) on a log axis
        double yStep = logY ? (hi - lo > 2 ? 1 : Math.log10(2)) : Ticks.step(hi - lo, 5);
        double first = logY ? Math.ceil(lo - 1e-9) : Math.ceil(lo / yStep - 1e-9) * yStep + 0.0; // no "-0"
        for (double value = logY ? hi : first; logY ? value >= lo - 1e-9 : value <= hi + 1e-9;
                value = logY ? value - yStep : value + yStep) {
            double y = top + ph - (value - lo) / (hi - lo) * ph;
            String label = logY ? trimZeros(Html.num(Math.pow(10, value))) : trimZeros(Html.num(value));
            s.append("<line x1=\"").append(left).append("\" x2=\"").append(left + pw).append("\" y1=\"")
                    .append(Html.px(y)).append("\" y2=\"").append(Html.px(y)).append("\" class=\"grid\"/>");
            s.append("<text class=\"axis-label\" x=\"").append(left - 6).append("\" y=\"").append(Html.px(y + 4))
                    .append("\" text-anchor=\"end\">").append(label).append("</text>");
        }
        // x ticks: at most ~10, on whole numbers when the range is small
        double span = xMax - xMin;
        double step = Math.max(1, Math.ceil(span / 10));
        for (double x = Math.ceil(xMin); x <= xMax + 1e-9; x += step) {
            double px = left + (x - xMin) / span * pw;
            s.append("<text class=\"axis-label\" x=\"").append(Html.px(px)).append("\" y=\"")
                    .append(top + ph + 16).append("\" text-anchor=\"middle\">").append(trimZeros(Html.num(x)))
                    .append("</text>");
        }
        s.append("<text class=\"axis-title\" x=\"").append(left + pw / 2).append("\" y=\"").append(height - 8)
                .append("\" text-anchor=\"middle\">").append(Html.esc(xLabel)).append("</text>");
        s.append("<text class=\"axis-title\" transform=\"translate(14,").append(top + ph / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.esc(yLabel)).append("</text>");
        for (int k = 0; k < series.size(); k++) {
            Series se = series.get(k);
            String color = ColorScale.series(k);
            List<String> runs = new ArrayList<>();
            StringBuilder run = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < se.x().length; i++) {
                double yv = se.y()[i];
                if (Double.isNaN(yv) || (logY && yv <= 0)) {
                    if (!run.isEmpty()) {
                        runs.add(run.toString());
                        run.setLength(0);
                    }
                    continue;
                }
                double yy = logY ? Math.log10(yv) : yv;
                double px = left + (se.x()[i] - xMin) / span * pw;
                double py = top + ph - (Math.max(lo, Math.min(hi, yy)) - lo) / (hi - lo) * ph;
                run.append(Html.px(px)).append(',').append(Html.px(py)).append(' ');
                marks.append("<circle cx=\"").append(Html.px(px)).append("\" cy=\"").append(Html.px(py))
                        .append("\" r=\"2.5\" fill=\"").append(color).append("\"><title>").append(Html.esc(se.name()))
                        .append(": x=").append(Html.num(se.x()[i])).append(", y=").append(Html.num(yv))
                        .append("</title></circle>");
            }
            if (!run.isEmpty()) {
                runs.add(run.toString());
            }
            for (String r : runs) {
                s.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(color)
                        .append("\" stroke-width=\"1.8\" points=\"").append(r.trim()).append("\"/>");
            }
            s.append(marks);
            int ly = top + 10 + k * 16;
            if (ly < top + ph) {
                s.append("<line x1=\"").append(left + pw + 12).append("\" x2=\"").append(left + pw + 30)
                        .append("\" y1=\"").append(ly).append("\" y2=\"").append(ly).append("\" stroke=\"").append(color)
                        .append("\" stroke-width=\"2\"/>");
                String name = se.name().length() > 20 ? se.name().substring(0, 19) + "…" : se.name();
                s.append("<text class=\"legend\" x=\"").append(left + pw + 34).append("\" y=\"").append(ly + 4)
                        .append("\">").append(Html.esc(name)).append("</text>");
            }
        }
        s.append("</svg>");
        return s.toString();
    }
}
