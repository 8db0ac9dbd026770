package dev.concord.analysis;

import java.util.List;

/**
 * One adapter on one module: the exact singular values of its update and their summary numbers (see
 * {@link Spectrum}); with a base model, the base weight's norm and ‖tau‖ / ‖W‖ (NaN without one).
 */
public record ModuleSpectrum(String module, int layer, String kind, List<Integer> shape, int rank,
        int numericalRank, double[] singularValues, double frobeniusNorm, double effectiveRank, double stableRank,
        double top1EnergyShare, double baseNorm, double relativeSize) {}
