package dev.concord.analysis;

import java.util.List;

/**
 * Per-adapter summary: its norm over all modules, the means over modules of effective rank, stable rank and top-1
 * energy share, and with a base model ‖tau‖ / ‖W‖ over its modules (pooled) and the largest per-module value.
 */
public record AdapterProfile(String name, String path, double weight, int modules, List<Integer> ranks,
        long parameters, double frobeniusNorm, double effectiveRank, double stableRank, double top1EnergyShare,
        double relativeSize, double relativeSizeMax, List<ModuleSpectrum> moduleDetail) {}
