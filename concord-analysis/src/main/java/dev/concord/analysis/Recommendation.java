package dev.concord.analysis;

import java.util.List;
import java.util.Map;

/**
 * What to do with the set: {@code action} is {@code merge} (with {@code method} and its {@code parameters}) or
 * {@code serve_separately} (method null); {@code expectedRetention} is the recommended method's retention per
 * adapter; each reason is one or two sentences with the numbers behind it.
 */
public record Recommendation(String action, String method, Map<String, Object> parameters,
        Map<String, Double> expectedRetention, List<String> reasons) {
    public static final String MERGE = "merge";
    public static final String SERVE_SEPARATELY = "serve_separately";
}
