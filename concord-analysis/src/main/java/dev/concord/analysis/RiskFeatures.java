package dev.concord.analysis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs of the {@link RiskModel}, each in [0, 1] except {@code depthExcess}, computed from the measured
 * metrics of a set (or of one pair). The JSON report lists them so that the risk score can be re-fitted against
 * observed merge outcomes without re-running the analysis.
 *
 * @param crosstalk max over pairs of sqrt(overlap_columns·overlap_rows)·(1 − |cosine|): the adapters read the
 *     same inputs and write the same outputs, but with different maps (identical or opposite maps are captured by
 *     the cosine instead)
 * @param opposition max over pairs of max(0, −cosine): updates that cancel
 * @param signExcess max over pairs of max(0, 2·sign_conflict_rate − 1): sign conflicts beyond the 50% that two
 *     unrelated updates show, which is what element-wise merges throw away
 * @param retentionGap over the merge methods evaluated, the smallest worst-case |1 − retention_i| relative to
 *     what that method keeps of adapter i alone (how far from lossless the best merge is)
 * @param depthExcess max(0, adapters − 3): compositions lose more with each adapter past the third
 */
public record RiskFeatures(int adapters, double crosstalk, double opposition, double signExcess,
        double retentionGap, double depthExcess) {

    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("crosstalk", crosstalk);
        m.put("opposition", opposition);
        m.put("sign_excess", signExcess);
        m.put("retention_gap", retentionGap);
        m.put("depth_excess", depthExcess);
        return m;
    }
}
