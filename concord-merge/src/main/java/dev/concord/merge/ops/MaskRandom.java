package dev.concord.merge.ops;

import java.nio.charset.StandardCharsets;

/**
 * Counter-based random numbers for masks: the draw for element {@code index} of task {@code task} on module
 * {@code module} is a pure function of (seed, stream, module, task, index). No generator state is shared or
 * advanced, so the same element gets the same draw whatever the thread count, block size or visiting order, and
 * two modules (or two tasks on one module) never reuse a mask.
 *
 * <p>The mixing is SplitMix64's: a Weyl sequence (counter times the 64-bit golden ratio) through the
 * Stafford/Murmur3 finaliser, which passes BigCrush for sequential counters; keys are built by mixing the seed,
 * a stream salt, a 64-bit FNV-1a hash of the module name and the task number in turn.
 */
public final class MaskRandom {
    /** 2^64 / φ, SplitMix64's increment. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final double UNIT = 0x1.0p-53;

    /** Purpose salts, so that masks drawn for different purposes are independent. */
    public static final long STREAM_DARE = 0xDA7EL;
    public static final long STREAM_DELLA = 0xDE11AL;
    public static final long STREAM_SVD = 0x5BDL;

    private final long key;

    private MaskRandom(long key) {
        this.key = key;
    }

    /** The stream of draws for one task on one module. */
    public static MaskRandom of(long seed, long stream, String module, int task) {
        long k = mix(seed ^ mix(stream + GOLDEN));
        k = mix(k ^ fnv1a(module));
        k = mix(k + (task + 1L) * GOLDEN);
        return new MaskRandom(k);
    }

    /** The raw 64 random bits for a flat index. */
    public long bits(long index) {
        return mix(key + (index + 1) * GOLDEN);
    }

    /** A uniform double in [0, 1) for the element at a flat index. */
    public double uniform(long index) {
        return (mix(key + (index + 1) * GOLDEN) >>> 11) * UNIT;
    }

    /** Whether the element is kept by a Bernoulli(p) draw: P(keep) = p exactly up to 2^-53. */
    public boolean keep(long index, double p) {
        return uniform(index) < p;
    }

    /** The Stafford variant 13 finaliser used by SplitMix64. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long fnv1a(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }
}
