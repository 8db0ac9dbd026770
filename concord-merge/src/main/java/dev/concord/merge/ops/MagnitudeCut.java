package dev.concord.merge.ops;

/**
 * The boundary of an exact top-k selection by magnitude over one tensor (or a whole model), stated so that any
 * element can be judged on its own: an element with |v| greater than {@code threshold} is kept; one with |v| equal
 * to {@code threshold} is kept when its flat index is at most {@code lastTieIndex}; everything else is dropped.
 *
 * <p>Why a tie index: when several entries share the k-th largest magnitude, exactly k must still be kept. We keep
 * the tied entries with the lowest flat (row-major) indices. {@code torch.topk} promises no particular order among
 * ties, so PEFT's result is unspecified there; lowest-index-first is the deterministic rule Concord documents. It
 * is stateless, which is what lets row blocks be judged in parallel and in any order.
 */
public record MagnitudeCut(float threshold, long lastTieIndex) {
    /** Keeps every element (k = numel). */
    public static final MagnitudeCut KEEP_ALL = new MagnitudeCut(0f, Long.MAX_VALUE);
    /** Keeps nothing (k = 0): no magnitude is above +infinity and no index is at most -1. */
    public static final MagnitudeCut KEEP_NONE = new MagnitudeCut(Float.POSITIVE_INFINITY, -1);

    public MagnitudeCut {
        if (Float.isNaN(threshold) || threshold < 0) {
            throw new IllegalArgumentException("threshold must be a non-negative magnitude, got " + threshold);
        }
    }

    /** Whether the element with magnitude {@code abs} at flat index {@code index} survives. */
    public boolean keeps(float abs, long index) {
        return abs > threshold || (abs == threshold && index <= lastTieIndex);
    }

    /**
     * The cut that keeps the {@code k} largest |values| of an in-memory array (the reference the streaming
     * selection is tested against, and the tool for row-sized pieces).
     */
    public static MagnitudeCut ofTopK(float[] values, int offset, int length, long k) {
        if (k <= 0) {
            return KEEP_NONE;
        }
        if (k >= length) {
            return KEEP_ALL;
        }
        float[] abs = new float[length];
        for (int i = 0; i < length; i++) {
            abs[i] = Math.abs(values[offset + i]);
        }
        float[] sorted = abs.clone();
        java.util.Arrays.sort(sorted);
        float t = sorted[(int) (length - k)];
        long greater = 0;
        for (float a : abs) {
            if (a > t) {
                greater++;
            }
        }
        long ties = k - greater;
        long last = -1;
        for (int i = 0; i < length && ties > 0; i++) {
            if (abs[i] == t) {
                last = i;
                ties--;
            }
        }
        return new MagnitudeCut(t, last);
    }

    /** k = int(density · numel), computed exactly as Python does (double product, truncated toward zero). */
    public static long keepCount(double density, long numel) {
        return (long) (density * (double) numel);
    }
}
