package dev.concord.merge;

import java.nio.file.Path;
import java.util.SortedMap;

/**
 * What a finished merge produced.
 *
 * @param out            the output directory
 * @param modules        number of modules merged
 * @param retainedEnergy per module, for adapter output (empty otherwise)
 * @param seconds        wall time
 */
public record MergeSummary(Path out, int modules, SortedMap<String, Double> retainedEnergy, double seconds) {
    /** The smallest retained energy over the modules (1 when nothing was truncated). */
    public double minRetainedEnergy() {
        return retainedEnergy.values().stream().mapToDouble(Double::doubleValue).min().orElse(1.0);
    }
}
