package dev.concord.analysis;

/** A pair's metrics on one module both adapters target (NaN where undefined). */
public record PairModule(String module, double innerProduct, double cosine, double subspaceOverlap,
        double subspaceOverlapRow, double signConflictRate, double overlappingPositions, double tsvInterference) {}
