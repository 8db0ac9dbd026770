package dev.concord.analysis;

import java.util.List;
import java.util.Map;

/**
 * The set as a whole. {@code retention} maps a method (linear, ties, dare_ties, tsv) to adapter → retention
 * {@code <merged, tau_i> / ‖tau_i‖²}; {@code retentionAlone} is what the same method keeps of each adapter merged on
 * its own (w_i for linear and TSV, the trimmed energy share for TIES), the baseline the risk compares against.
 * Methods whose retention could not be computed are absent, with the reason in {@code notes}.
 */
public record CompositionReport(List<String> adapters, Map<String, Double> weights, double signAgreement,
        double[] signAgreementCi, double tiesDiscardedMass, double[] tiesDiscardedMassCi,
        Map<String, Map<String, Double>> retention, Map<String, Map<String, double[]>> retentionCi,
        Map<String, Map<String, Double>> retentionAlone, Map<String, Double> alignmentWithMerge, double risk,
        String verdict, Map<String, Double> riskFeatures, Map<String, Object> riskModel, DepthReport depth,
        Recommendation recommendation, List<String> notes) {

    /** The composition-depth guard: predicted retention as adapters are added, and its warnings. */
    public record DepthReport(List<DepthPoint> curve, String cliffAt, List<String> warnings) {}
}
