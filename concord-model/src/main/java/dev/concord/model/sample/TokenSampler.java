package dev.concord.model.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws tokens for one sequence. Each sequence owns its sampler and random generator, so a seeded run gives the
 * same tokens whatever else is batched with it and however many threads run the model.
 */
public final class TokenSampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private long[] keys = new long[0];
    private double[] probs = new double[0];

    public TokenSampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    /** The next token given {@code vocab} logits starting at {@code offset}. */
    public int next(float[] logits, int offset, int vocab) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        if (keys.length < vocab) {
            keys = new long[vocab];
            probs = new double[vocab];
        }
        double t = params.temperature();
        boolean filtered = params.topK() > 0 && params.topK() < vocab || params.topP() < 1;
        int keep = vocab;
        if (filtered) {
            // one primitive sort: descending logit, ties broken by lower id
            for (int i = 0; i < vocab; i++) {
                keys[i] = ((long) ~sortable(logits[offset + i]) << 32) | i;
            }
            Arrays.sort(keys, 0, vocab);
        } else {
            for (int i = 0; i < vocab; i++) {
                keys[i] = i;
            }
        }
        if (params.topK() > 0 && params.topK() < vocab) {
            // transformers keeps every token whose score is not below the k-th highest (ties with it survive)
            float kth = logits[offset + id(params.topK() - 1)];
            keep = params.topK();
            while (keep < vocab && logits[offset + id(keep)] >= kth) {
                keep++;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < keep; i++) {
            max = Math.max(max, logits[offset + id(i)] / t);
        }
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            double p = Math.exp(logits[offset + id(i)] / t - max);
            probs[i] = p;
            sum += p;
        }
        if (params.topP() < 1) {
            // keep the most likely tokens while the mass above them is below top_p (at least one)
            double mass = 0;
            int kept = 0;
            while (kept < keep && mass < params.topP() * sum) {
                mass += probs[kept];
                kept++;
            }
            keep = Math.max(1, kept);
            sum = mass;
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += probs[i];
            if (u < acc) {
                return id(i);
            }
        }
        return id(keep - 1);
    }

    private int id(int rank) {
        return (int) keys[rank];
    }

    /** Maps a float to an int whose signed order is the float order (NaN last). */
    private static int sortable(float f) {
        int bits = Float.floatToIntBits(f);
        return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
    }

    /** Index of the largest logit (the lowest such index on ties). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
