package dev.concord.lab.skill;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A small deterministic random stream (SplitMix64) whose seed is derived from a number and a path of labels, e.g.
 * {@code of(1234, "rot3", "heldout")}. Written out here rather than borrowed from the JDK so that the sequence is
 * fixed by this file alone: a suite generated from a seed is the same on every JDK, and another implementation
 * (the Python prototype, a test) can reproduce it from the description.
 *
 * <p>Derivation: the state starts at {@code mix(seed)}; each label folds in as {@code state = mix(state ^
 * fnv1a64(utf8(label)))}. Each draw advances the state by the golden-ratio constant and returns {@code mix(state)}.
 */
public final class SeededRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    private SeededRandom(long state) {
        this.state = state;
    }

    /** The stream for {@code seed} and the given label path. */
    public static SeededRandom of(long seed, String... labels) {
        long s = mix(seed);
        for (String label : labels) {
            s = mix(s ^ fnv1a64(label));
        }
        return new SeededRandom(s);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in {@code [0, bound)}, without modulo bias (rejects the top partial range). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        // 2^64 mod bound: the draws above 2^64 - 1 - excess fall in a partial range and would bias the result.
        long excess = (Long.remainderUnsigned(-1L, bound) + 1) % bound;
        while (true) {
            long r = nextLong();
            if (Long.compareUnsigned(r, -1L - excess) <= 0) {
                return (int) Long.remainderUnsigned(r, bound);
            }
        }
    }

    /** Uniform in {@code [lo, hi]}, both inclusive. */
    public int between(int lo, int hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        return lo + nextInt(hi - lo + 1);
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public <T> T pick(List<T> items) {
        return items.get(nextInt(items.size()));
    }

    /** A lowercase ASCII letter. */
    public char letter() {
        return (char) ('a' + nextInt(26));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a64(String label) {
        long h = 0xCBF29CE484222325L;
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }
}
