package dev.concord.lab.train;

import dev.concord.lab.skill.SeededRandom;

/**
 * Seeded initial values for parameters, drawn from the lab's {@link SeededRandom} so that a trained model depends
 * only on its seeds: normal draws by Box–Muller (two uniforms per pair of values) and uniform draws in a range.
 */
final class InitialValues {
    private InitialValues() {}

    /** Fills {@code out} with draws of N(0, std²). */
    static void normal(float[] out, double std, SeededRandom random) {
        for (int i = 0; i < out.length; i += 2) {
            // 1 - u lies in (0, 1], so the logarithm is finite
            double radius = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * std;
            double angle = 2 * Math.PI * random.nextDouble();
            out[i] = (float) (radius * Math.cos(angle));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (radius * Math.sin(angle));
            }
        }
    }

    /** Fills {@code out} with draws uniform in [-bound, bound). */
    static void uniform(float[] out, double bound, SeededRandom random) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
    }
}
