package dev.concord.tensor.kernel;

import dev.concord.error.ConcordException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;

/**
 * Measures how fast this machine streams memory into cores: the bound a GEMV over large weights can approach,
 * since it reads every weight exactly once. Threads read disjoint parts of one off-heap buffer with vector loads
 * ({@link #streamRead}: four streams, independent adds, so memory and not latency is the limit); the best of
 * several passes counts.
 *
 * <p>Use a buffer several times larger than the last-level cache, or the figure is cache bandwidth. The default
 * is 1 GiB, touched once before timing so page faults are not measured.
 */
public final class MemoryBandwidth {
    public static final long DEFAULT_BUFFER_BYTES = 1L << 30;

    /** One measurement: the best pass, in GB/s (10^9 bytes per second). */
    public record Result(int threads, long bufferBytes, int passes, double gigabytesPerSecond) {
        @Override
        public String toString() {
            return String.format("%.1f GB/s (%d thread%s, %d MiB buffer, best of %d)", gigabytesPerSecond, threads,
                    threads == 1 ? "" : "s", bufferBytes >> 20, passes);
        }
    }

    @SuppressWarnings("unused") // written so the JIT cannot drop the reads
    private static volatile float sink;

    private MemoryBandwidth() {}

    /** Two threads, 1 GiB, best of 5: the reference bound used by the kernel benchmarks. */
    public static Result measureRead() {
        return measureRead(2, DEFAULT_BUFFER_BYTES, 5);
    }

    public static Result measureRead(int threads, long bufferBytes, int passes) {
        if (threads < 1 || passes < 1) {
            throw new IllegalArgumentException("threads and passes must be >= 1, got " + threads + ", " + passes);
        }
        long bytesPerThread = (bufferBytes / threads) & ~255L;
        if (bytesPerThread < 256) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes is too small for " + threads
                    + " threads");
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = allocate(arena, bytesPerThread * threads);
            buffer.fill((byte) 1);
            long[] passNanos = timePasses(buffer, threads, bytesPerThread, passes);
            long best = Long.MAX_VALUE;
            for (long t : passNanos) {
                best = Math.min(best, t);
            }
            return new Result(threads, bytesPerThread * threads, passes, (double) bytesPerThread * threads / best);
        }
    }

    private static MemorySegment allocate(Arena arena, long bytes) {
        // mapped like checkpoint weights: reading native memory here would slow every later product (MappedMemory)
        return MappedMemory.allocate(bytes, "the memory-bandwidth probe's buffer", arena);
    }

    /** Runs the passes; the barrier's action stamps the time at the start and at the end of every pass. */
    private static long[] timePasses(MemorySegment buffer, int threads, long bytesPerThread, int passes) {
        long[] stamps = new long[2 * passes];
        int[] trip = {0};
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> stamps[trip[0]++] = System.nanoTime());
        List<Thread> readers = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            MemorySegment part = buffer.asSlice(t * bytesPerThread, bytesPerThread);
            readers.add(Thread.ofPlatform().name("bandwidth-" + t).start(() -> {
                try {
                    float total = 0;
                    for (int p = 0; p < passes; p++) {
                        barrier.await();
                        total += streamRead(part);
                        barrier.await();
                    }
                    sink = total;
                } catch (InterruptedException | BrokenBarrierException e) {
                    failure[0] = e;
                }
            }));
        }
        for (Thread r : readers) {
            try {
                r.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConcordException("interrupted while measuring memory bandwidth", e);
            }
        }
        if (failure[0] != null) {
            throw new ConcordException("memory bandwidth measurement failed: " + failure[0], failure[0]);
        }
        long[] nanos = new long[passes];
        for (int p = 0; p < passes; p++) {
            nanos[p] = Math.max(1, stamps[2 * p + 1] - stamps[2 * p]);
        }
        return nanos;
    }

    /**
     * Reads every byte of {@code part} (up to a multiple of four vectors per quarter) with vector loads and returns
     * a value that depends on all of them, so the reads cannot be dropped. The part is read as four sequential
     * streams, one per quarter, advanced together: one stream alone leaves a core's memory bandwidth unused (the
     * prefetcher runs further ahead on several), and the GEMV tiles read four streams too. Benchmarks use it to
     * measure a plain read of exactly the bytes a kernel reads.
     */
    public static float streamRead(MemorySegment part) {
        var species = FloatVector.SPECIES_PREFERRED;
        long step = species.vectorByteSize();
        long quarter = part.byteSize() / 4 / step * step;
        FloatVector a0 = FloatVector.zero(species);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (long i = 0; i < quarter; i += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(species, part, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(species, part, quarter + i, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(species, part, 2 * quarter + i, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(species, part, 3 * quarter + i, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).lane(0);
    }
}
