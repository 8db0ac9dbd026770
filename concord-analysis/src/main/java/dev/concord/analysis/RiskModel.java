package dev.concord.analysis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where metrics become a risk score:
 * <pre>
 *   z    = intercept + crosstalk·c + opposition·o + signExcess·s + retentionGap·g + depthExcess·d
 *   risk = 1 / (1 + e^(−z))                      verdict: compatible below {@code caution}, conflict from {@code conflict}
 * </pre>
 * The default coefficients are a prior chosen by reasoning about the features (two unrelated rank-16 adapters
 * score about 0.05, identical ones too, an adapter and its negation about 0.99), not a fit. The lab re-fits them
 * against measured merge outcomes from the {@code risk_features} the report records; a fitted model replaces
 * {@link #DEFAULT} and changes its {@code version}.
 */
public record RiskModel(String version, double intercept, double crosstalk, double opposition, double signExcess,
        double retentionGap, double depthExcess, double caution, double conflict) {

    public static final RiskModel DEFAULT = new RiskModel("prior-1", -3.0, 4.0, 3.0, 2.0, 3.0, 0.5, 0.25, 0.6);

    public double score(RiskFeatures f) {
        double z = intercept + crosstalk * f.crosstalk() + opposition * f.opposition() + signExcess * f.signExcess()
                + retentionGap * f.retentionGap() + depthExcess * f.depthExcess();
        return 1 / (1 + Math.exp(-z));
    }

    public Verdict verdict(double risk) {
        if (risk >= conflict) {
            return Verdict.CONFLICT;
        }
        return risk >= caution ? Verdict.CAUTION : Verdict.COMPATIBLE;
    }

    /** Coefficients for the report. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("intercept", intercept);
        m.put("crosstalk", crosstalk);
        m.put("opposition", opposition);
        m.put("sign_excess", signExcess);
        m.put("retention_gap", retentionGap);
        m.put("depth_excess", depthExcess);
        m.put("caution_from", caution);
        m.put("conflict_from", conflict);
        return m;
    }
}
