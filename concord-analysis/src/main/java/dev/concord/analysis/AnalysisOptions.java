package dev.concord.analysis;

import dev.concord.error.InvalidInputException;
import java.nio.file.Path;

/**
 * How to analyse.
 *
 * @param density fraction of entries the magnitude trim keeps per tensor (TIES' density; default 0.2)
 * @param sample 0 for exact element-wise statistics, else positions sampled per module
 * @param seed seeds the sampled positions and the DARE masks
 * @param weights merge weight per adapter in input order, or null for 1 each
 * @param base base model directory for ‖tau‖ / ‖W‖, or null
 * @param moduleDetail whether pairs list their per-module metrics (large for zoo-sized screens)
 */
public record AnalysisOptions(double density, int sample, long seed, double[] weights, Path base,
        boolean moduleDetail) {
    public static final double DEFAULT_DENSITY = 0.2;

    public static AnalysisOptions defaults() {
        return new AnalysisOptions(DEFAULT_DENSITY, 0, 0, null, null, true);
    }

    public AnalysisOptions {
        if (!(density > 0 && density <= 1)) {
            throw new InvalidInputException("--density must be in (0, 1], got " + density);
        }
        if (sample < 0) {
            throw new InvalidInputException("--sample must be positive, got " + sample);
        }
        if (weights != null) {
            weights = weights.clone();
            for (double w : weights) {
                if (!Double.isFinite(w)) {
                    throw new InvalidInputException("merge weights must be finite numbers, got " + w);
                }
            }
        }
    }

    public AnalysisOptions withSample(int n, long s) {
        return new AnalysisOptions(density, n, s, weights, base, moduleDetail);
    }

    public AnalysisOptions withDensity(double d) {
        return new AnalysisOptions(d, sample, seed, weights, base, moduleDetail);
    }

    public AnalysisOptions withWeights(double[] w) {
        return new AnalysisOptions(density, sample, seed, w, base, moduleDetail);
    }

    public AnalysisOptions withBase(Path b) {
        return new AnalysisOptions(density, sample, seed, weights, b, moduleDetail);
    }

    public AnalysisOptions withModuleDetail(boolean detail) {
        return new AnalysisOptions(density, sample, seed, weights, base, detail);
    }

    /** w_i for n adapters. */
    double[] weightsFor(int n) {
        if (weights == null) {
            double[] w = new double[n];
            java.util.Arrays.fill(w, 1.0);
            return w;
        }
        if (weights.length != n) {
            throw new InvalidInputException(weights.length + " weights given for " + n + " adapters");
        }
        return weights.clone();
    }
}
