package dev.concord.analysis;

import java.util.List;

/**
 * One module across the whole set: who targets it, the total rank K there, and its share of the conflicts
 * (what the per-layer profiles plot): sign agreement of the set, the sign-conflict rate pooled over all pairs, TIES'
 * discarded mass, and the mean subspace overlap and cosine over the pairs that share it.
 */
public record ModuleReport(String module, int layer, String kind, List<Integer> shape, List<String> adapters,
        int totalRank, boolean exact, double signAgreement, double signConflictRate, double tiesDiscardedMass,
        double subspaceOverlapMean, double cosineMean) {}
