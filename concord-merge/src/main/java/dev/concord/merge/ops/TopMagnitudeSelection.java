package dev.concord.merge.ops;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Finds the exact {@link MagnitudeCut} of a top-k selection over a tensor that is only ever seen in blocks, with
 * memory bounded by a candidate budget instead of the tensor size.
 *
 * <p>How: magnitudes are compared through their IEEE-754 bit patterns, which order non-negative floats exactly
 * as their values do. A first pass counts a histogram of the high 16 bits; when an optional cheap sampler of
 * single elements is available, it also collects every element inside a narrow window around the threshold that
 * a sample predicts — usually the k-th largest falls inside and one pass suffices. Otherwise the histogram
 * narrows the search to one bucket, a second pass collects that bucket (or histograms its low 16 bits, which
 * isolates the exact value), and a last pass finds which tied elements are kept when ties straddle the cut.
 * Every step is a deterministic reduction over blocks in element order, so thread count never changes the result.
 */
public final class TopMagnitudeSelection {
    /** Default candidate budget: ~4 M candidates is ~50 MB of (bits, index) pairs at worst. */
    public static final int DEFAULT_CANDIDATE_BUDGET = 1 << 22;
    private static final int SAMPLE_SIZE = 1 << 16;
    private static final int INFINITY_BITS = 0x7F800000;

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
        AtomicLong collected = new AtomicLong();
        // Pass 1: coarse histogram of every element, plus the candidates inside the window (until the budget).
        List<Pass1> firsts = scan.pass(Pass1::new,
                (acc, first, v, off, len) -> acc.visit(first, v, off, len, window, collected, candidateBudget));
        passesUsed++;
        long[] hist = new long[(INFINITY_BITS >>> 16) + 1];
        long windowAbove = 0;
        boolean windowOk = window != null && collected.get() <= candidateBudget;
        long windowCount = 0;
        for (Pass1 p : firsts) {
            for (int i = 0; i < hist.length; i++) {
                hist[i] += p.hist[i];
            }
            windowAbove += p.above;
            windowCount += p.candidates.size();
        }
        if (System.getProperty("sel.debug") != null) { System.err.println("window=" + java.util.Arrays.toString(window) + " count=" + windowCount + " above=" + windowAbove + " k=" + k); }
        if (windowOk && windowCount <= candidateBudget && windowAbove < k && k <= windowAbove + windowCount) {
            return fromCandidates(concat(firsts.stream().map(p -> p.candidates).toList()), k - windowAbove);
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
        if (numel <= candidateBudget) {
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
        double margin = 6 * Math.sqrt(s * q * (1 - q)) + 16;
        int hiRank = (int) Math.floor(rankFromTop - margin);
        int loRank = (int) Math.ceil(rankFromTop + margin);
        int hi = hiRank < 0 ? INFINITY_BITS : sample[s - 1 - hiRank];
        int lo = loRank >= s ? 0 : sample[s - 1 - loRank];
        return new int[] {lo, hi};
    }

    private static MagnitudeCut fromCandidates(Candidates c, long need) {
        int[] sorted = Arrays.copyOf(c.bits, c.size);
        Arrays.sort(sorted);
        int tBits = sorted[c.size - (int) need];
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

    /** Pass 1 per block: the coarse histogram, and the window's candidates and the count above the window. */
    static final class Pass1 {
        final int[] hist = new int[(INFINITY_BITS >>> 16) + 1];
        final Candidates candidates = new Candidates();
        long above;

        void visit(long first, float[] v, int off, int len, int[] window, AtomicLong collected, int budget) {
            int added = 0;
            for (int i = 0; i < len; i++) {
                int b = bits(v[off + i]);
                hist[b >>> 16]++;
                if (window != null) {
                    if (b > window[1]) {
                        above++;
                    } else if (b >= window[0]) {
                        added++;
                        candidates.add(b, first + i);
                    }
                }
            }
            // Past the budget the window has failed anyway: free what this block gathered.
            if (added > 0 && collected.addAndGet(added) > budget) {
                candidates.size = 0;
                candidates.bits = new int[0];
                candidates.index = new long[0];
            }
        }
    }

}
