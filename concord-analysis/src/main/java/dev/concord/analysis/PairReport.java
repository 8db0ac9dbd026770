package dev.concord.analysis;

import java.util.List;

/**
 * Everything measured about one pair of adapters (a before b in input order). Undefined values are NaN (null in
 * JSON); {@code …Ci} are 95% intervals when element-wise statistics were sampled, null when exact. See
 * docs/analysis.md for the formulas.
 */
public record PairReport(String a, String b, double cosine, double innerProduct, int sharedModules,
        double subspaceOverlap, double subspaceOverlapRow, double subspaceAlignment, double alignmentAInB,
        double alignmentBInA, double signConflictRate, double[] signConflictRateCi, double signConflictWeighted,
        double[] signConflictWeightedCi, double overlappingPositions, double tsvInterference,
        double tsvInterferenceRelative, double tiesDiscardedMass, double[] tiesDiscardedMassCi,
        double linearRetentionA, double linearRetentionB, double risk, String verdict, List<PairModule> modules) {}
