package dev.concord.analysis;

import java.util.List;

/**
 * The result of {@code concord analyze}: what was run ({@code settings}), per-adapter profiles, all pairs, per-module
 * detail and the composition with its verdict and recommendation. Serialised by {@link ReportJson} (schema in
 * docs/analysis.md) and rendered by {@link dev.concord.analysis.html.HtmlReport}.
 */
public record AnalysisReport(String schema, Settings settings, List<AdapterProfile> adapters, List<PairReport> pairs,
        List<ModuleReport> modules, CompositionReport composition, Timing timing) {
    public static final String SCHEMA = "concord.analysis/1";

    /**
     * @param sample positions per module for element-wise statistics, 0 when they are exact
     * @param base the base model directory, or null
     */
    public record Settings(double density, int sample, long seed, String base, String trim, String election) {}

    /** Wall-clock seconds of the phases (not part of the comparable results). */
    public record Timing(double totalSeconds, double spectralSeconds, double elementwiseSeconds, int threads) {}
}
