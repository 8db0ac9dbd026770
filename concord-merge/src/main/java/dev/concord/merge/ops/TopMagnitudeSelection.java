package dev.concord.merge.ops;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Finds the exact {@link MagnitudeCut} of a top-k selection over a tensor that is only ever seen in blocks, with
 * memory bounded by a candidate budget instead of the tensor size.
 *
 * <p>How: magnitudes are compared through their IEEE-754 bit patterns, which order non-negative floats exactly
 * as their values do. When the tensor is small, or an optional cheap sampler of single elements predicts a narrow
 * window around the threshold, one pass counts the elements above the window and collects those inside it; the
 * k-th largest usually falls inside, and an exact selection among the candidates ends the search after that
 * single pass. Otherwise a histogram of the high 16 bits narrows the search to one bucket, a further pass collects
 * that bucket (or histograms its low 16 bits, which isolates the exact value), and a last pass finds which tied
 * elements are kept when ties straddle the cut.
 * Every step is a deterministic reduction over blocks in element order, so thread count never changes the result.
 */
public final class TopMagnitudeSelection {
    /** Default candidate budget: ~4 M candidates is ~50 MB of (bits, index) pairs at worst. */
    public static final int DEFAULT_CANDIDATE_BUDGET = 1 << 22;
    private static final int SAMPLE_SIZE = 1 << 16;
    private static final int INFINITY_BITS = 0x7F800000;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    private final int candidateBudget;
    private int passesUsed;

    public TopMagnitudeSelection() {
        this(DEFAULT_CANDIDATE_BUDGET);
    }

    /** A smaller budget forces the histogram path; tests use it to exercise every branch. */
    public TopMagnitudeSelection(int candidateBudget) {
        if (candidateBudget < 1) {
            throw new IllegalArgumentException("candidate budget must be positive");
        }
        this.candidateBudget = candidateBudget;
    }

    /** Passes over the data the last {@link #select} needed (for tests and benchmarks). */
    public int passesUsed() {
        return passesUsed;
    }

    /**
     * The cut keeping the {@code k} largest magnitudes among {@code numel} elements.
     *
     * @param sampler optional: returns the value at a flat index as raw float bits, cheaply (null when the
     *     elements cannot be read one by one)
     */
    public MagnitudeCut select(ValueScan scan, long numel, long k, LongUnaryOperator sampler) {
        passesUsed = 0;
        if (k <= 0) {
            return MagnitudeCut.KEEP_NONE;
        }
        if (k >= numel) {
            return MagnitudeCut.KEEP_ALL;
        }
        int[] window = initialWindow(numel, k, sampler);
        if (window != null) {
            // Pass 1: count what lies above the window and collect what lies in it (until the budget).
            AtomicLong collected = new AtomicLong();
            List<Window> firsts = scan.pass(Window::new,
                    (acc, first, v, off, len) -> acc.visit(first, v, off, len, window, collected, candidateBudget));
            passesUsed++;
            long windowAbove = 0;
            long windowCount = 0;
            for (Window p : firsts) {
                windowAbove += p.above;
                windowCount += p.candidates.size();
            }
            if (collected.get() <= candidateBudget && windowAbove < k && k <= windowAbove + windowCount) {
                return fromCandidates(concat(firsts.stream().map(p -> p.candidates).toList()), k - windowAbove);
            }
        }
        // The window missed (or there was none): a coarse histogram of the high 16 bits.
        List<int[]> hists = scan.pass(() -> new int[(INFINITY_BITS >>> 16) + 1], (acc, first, v, off, len) -> {
            for (int i = 0; i < len; i++) {
                acc[bits(v[off + i]) >>> 16]++;
            }
        });
        passesUsed++;
        long[] hist = new long[(INFINITY_BITS >>> 16) + 1];
        for (int[] h : hists) {
            for (int i = 0; i < hist.length; i++) {
                hist[i] += h[i];
            }
        }
        // Narrow to the high-16-bit bucket that holds the k-th largest.
        long above = 0;
        int bucket = hist.length - 1;
        while (above + hist[bucket] < k) {
            above += hist[bucket];
            bucket--;
        }
        int lo = bucket << 16;
        int hi = lo | 0xFFFF;
        long inBucket = hist[bucket];
        long need = k - above;
        if (inBucket <= candidateBudget) {
            List<Candidates> parts = scan.pass(Candidates::new, (acc, first, v, off, len) -> acc.collect(first, v, off, len, lo, hi));
            passesUsed++;
            return fromCandidates(concat(parts), need);
        }
        // Too many in one bucket: the low 16 bits isolate the exact value.
        List<long[]> fines = scan.pass(() -> new long[1 << 16], (acc, first, v, off, len) -> {
            for (int i = 0; i < len; i++) {
                int b = bits(v[off + i]);
                if (b >= lo && b <= hi) {
                    acc[b & 0xFFFF]++;
                }
            }
        });
        passesUsed++;
        long[] fine = new long[1 << 16];
        for (long[] f : fines) {
            for (int i = 0; i < fine.length; i++) {
                fine[i] += f[i];
            }
        }
        int low = 0xFFFF;
        while (need > fine[low]) {
            need -= fine[low];
            low--;
        }
        int tBits = lo | low;
        float t = Float.intBitsToFloat(tBits);
        long tiesKept = need;
        if (tiesKept == fine[low] || t == 0f) {
            // All ties survive, or the ties are zeros, whose survival changes nothing.
            return new MagnitudeCut(t, Long.MAX_VALUE);
        }
        return new MagnitudeCut(t, lastTieIndex(scan, tBits, tiesKept));
    }

    /** Two passes: count ties per block, then locate the tiesKept-th one inside the block that holds it. */
    private long lastTieIndex(ValueScan scan, int tBits, long tiesKept) {
        List<long[]> counts = scan.pass(() -> new long[2], (acc, first, v, off, len) -> {
            acc[0] = first;
            for (int i = 0; i < len; i++) {
                if (bits(v[off + i]) == tBits) {
                    acc[1]++;
                }
            }
        });
        Map<Long, Long> tiesBefore = new HashMap<>();
        long running = 0;
        for (long[] c : counts) {
            tiesBefore.put(c[0], running);
            running += c[1];
        }
        List<long[]> found = scan.pass(() -> new long[] {-1}, (acc, first, v, off, len) -> {
            long seen = tiesBefore.get(first);
            for (int i = 0; i < len && seen < tiesKept; i++) {
                if (bits(v[off + i]) == tBits && ++seen == tiesKept) {
                    acc[0] = first + i;
                }
            }
        });
        passesUsed += 2;
        for (long[] f : found) {
            if (f[0] >= 0) {
                return f[0];
            }
        }
        throw new IllegalStateException("tie " + tiesKept + " of value bits " + tBits + " not found on the second read");
    }

    /** The window [lo, hi] (as bits) expected to hold the k-th largest, or null to collect nothing in pass 1. */
    private int[] initialWindow(long numel, long k, LongUnaryOperator sampler) {
        if (numel <= Math.min(candidateBudget, SAMPLE_SIZE) || (sampler == null && numel <= candidateBudget)) {
            return new int[] {0, INFINITY_BITS};
        }
        if (sampler == null) {
            return null;
        }
        int s = SAMPLE_SIZE;
        int[] sample = new int[s];
        for (int i = 0; i < s; i++) {
            long index = Long.remainderUnsigned(MaskRandom.mix(0x5EEDL + i * MaskRandom.GOLDEN), numel);
            sample[i] = bits(Float.intBitsToFloat((int) sampler.applyAsLong(index)));
        }
        Arrays.sort(sample);
        double q = (double) k / numel;
        double rankFromTop = q * s;
        double margin = 4.5 * Math.sqrt(s * q * (1 - q)) + 16;
        int hiRank = (int) Math.floor(rankFromTop - margin);
        int loRank = (int) Math.ceil(rankFromTop + margin);
        int hi = hiRank < 0 ? INFINITY_BITS : sample[s - 1 - hiRank];
        int lo = loRank >= s ? 0 : sample[s - 1 - loRank];
        return new int[] {lo, hi};
    }

    private static MagnitudeCut fromCandidates(Candidates c, long need) {
        int tBits = kthLargest(c.bits, c.size, (int) need);
        long greater = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.bits[i] > tBits) {
                greater++;
            }
        }
        long ties = need - greater;
        long last = -1;
        // Candidates were appended in element order, so the first ties met are the lowest indices.
        for (int i = 0; i < c.size && ties > 0; i++) {
            if (c.bits[i] == tBits) {
                last = c.index[i];
                ties--;
            }
        }
        return new MagnitudeCut(Float.intBitsToFloat(tBits), last);
    }

    /**
     * The need-th largest of the first {@code size} values: a counting pass when they span a narrow range (the
     * usual window), a sort otherwise.
     */
    static int kthLargest(int[] values, int size, int need) {
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            lo = Math.min(lo, values[i]);
            hi = Math.max(hi, values[i]);
        }
        long span = (long) hi - lo + 1;
        if (span <= Math.max(1 << 16, 4L * size)) {
            int[] counts = new int[(int) span];
            for (int i = 0; i < size; i++) {
                counts[values[i] - lo]++;
            }
            int left = need;
            for (int b = (int) span - 1; ; b--) {
                left -= counts[b];
                if (left <= 0) {
                    return lo + b;
                }
            }
        }
        int[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return sorted[size - need];
    }

    private static Candidates concat(List<Candidates> parts) {
        int total = 0;
        for (Candidates p : parts) {
            total += p.size;
        }
        Candidates all = new Candidates();
        all.bits = new int[total];
        all.index = new long[total];
        for (Candidates p : parts) {
            all.addAll(p);
        }
        return all;
    }

    static int bits(float v) {
        int b = Float.floatToRawIntBits(v) & 0x7FFFFFFF;
        if (b > INFINITY_BITS) {
            throw new IllegalArgumentException("NaN in a tensor being trimmed");
        }
        return b;
    }

    /** Elements with their flat indices, appended in element order. */
    static final class Candidates {
        int[] bits = new int[16];
        long[] index = new long[16];
        int size;

        void add(int b, long i) {
            if (size == bits.length) {
                int n = Math.max(16, size * 2);
                bits = Arrays.copyOf(bits, n);
                index = Arrays.copyOf(index, n);
            }
            bits[size] = b;
            index[size] = i;
            size++;
        }

        void addAll(Candidates o) {
            if (size + o.size > bits.length) {
                bits = Arrays.copyOf(bits, size + o.size);
                index = Arrays.copyOf(index, size + o.size);
            }
            System.arraycopy(o.bits, 0, bits, size, o.size);
            System.arraycopy(o.index, 0, index, size, o.size);
            size += o.size;
        }

        int size() {
            return size;
        }

        void collect(long first, float[] v, int off, int len, int lo, int hi) {
            for (int i = 0; i < len; i++) {
                int b = bits(v[off + i]);
                if (b >= lo && b <= hi) {
                    add(b, first + i);
                }
            }
        }
    }

    /** Pass 1 per block: the window's candidates and the count above the window. */
    static final class Window {
        final Candidates candidates = new Candidates();
        long above;

        void visit(long first, float[] v, int off, int len, int[] window, AtomicLong collected, int budget) {
            int lo = window[0];
            int hi = window[1];
            int added = 0;
            long over = 0;
            int step = FLOATS.length();
            int i = 0;
            // Most elements are far from the threshold: count them a vector at a time, and visit the rare lanes
            // that fall inside the window (or are NaN) one by one.
            for (; i + step <= len; i += step) {
                IntVector b = FloatVector.fromArray(FLOATS, v, off + i).abs().reinterpretAsInts();
                over += b.compare(VectorOperators.GT, hi).trueCount();
                VectorMask<Integer> odd = b.compare(VectorOperators.GE, lo)
                        .and(b.compare(VectorOperators.LE, hi))
                        .or(b.compare(VectorOperators.GT, INFINITY_BITS));
                if (odd.anyTrue()) {
                    for (int l = 0; l < step; l++) {
                        int x = bits(v[off + i + l]);
                        if (x >= lo && x <= hi) {
                            added++;
                            candidates.add(x, first + i + l);
                        }
                    }
                }
            }
            for (; i < len; i++) {
                int x = bits(v[off + i]);
                if (x > hi) {
                    over++;
                } else if (x >= lo) {
                    added++;
                    candidates.add(x, first + i);
                }
            }
            above += over;
            // Past the budget the window has failed anyway: free what this block gathered.
            if (added > 0 && collected.addAndGet(added) > budget) {
                candidates.size = 0;
                candidates.bits = new int[0];
                candidates.index = new long[0];
            }
        }
    }

}
