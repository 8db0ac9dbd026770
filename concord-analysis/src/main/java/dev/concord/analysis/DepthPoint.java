package dev.concord.analysis;

/**
 * Predicted retention of the composition of the first k adapters (input order): mean and minimum over those k of
 * the retention under linear (exact) and TIES (element-wise; NaN past {@link DepthGuard#MAX_ELEMENTWISE_DEPTH}).
 */
public record DepthPoint(int k, String added, double linearMean, double linearMin, double tiesMean,
        double tiesMin) {}
