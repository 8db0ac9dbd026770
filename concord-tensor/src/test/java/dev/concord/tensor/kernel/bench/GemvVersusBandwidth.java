package dev.concord.tensor.kernel.bench;

import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.MemoryBandwidth;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * GEMV throughput as a fraction of a plain streaming read of the very same bytes, measured in alternation in one
 * process: on a machine shared with other work, bandwidth measured minutes apart from the GEMV (as JMH's ordering
 * does) can differ by 50%, while alternating half-second rounds see the same conditions. Each figure is the best
 * of its rounds. Run like {@link KernelBenchmarks} (same classpath), with optional arguments
 * {@code shapes formats threads}, e.g. {@code 32000x768,2048x768 F32,BF16,Q8_0 1,2}.
 */
public final class GemvVersusBandwidth {
    private static final int ROUNDS = 6;
    private static final long ROUND_NANOS = 500_000_000L;

    private GemvVersusBandwidth() {}

    public static void main(String[] args) {
        String[] shapes = (args.length > 0 ? args[0] : "32000x768,2048x768,768x2048").split(",");
        String[] formats = (args.length > 1 ? args[1] : "F32,BF16,Q8_0").split(",");
        String[] threadCounts = (args.length > 2 ? args[2] : "1,2").split(",");
        System.out.printf("%-10s %-5s %-3s %12s %12s %9s%n", "shape", "dtype", "thr", "GEMV GB/s", "read GB/s", "fraction");
        for (String shape : shapes) {
            for (String formatName : formats) {
                int[] s = BenchWeights.shape(shape);
                WeightFormat format = WeightFormat.valueOf(formatName);
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix[] set = BenchWeights.create(arena, format, s[0], s[1],
                            BenchWeights.copies(true, format, s[0], s[1]));
                    for (String t : threadCounts) {
                        measure(shape, format, set, Integer.parseInt(t));
                    }
                }
            }
        }
    }

    private static void measure(String shape, WeightFormat format, WeightMatrix[] set, int threads) {
        try (ComputePool pool = new ComputePool(threads)) {
            Kernels kernels = Kernels.vector(pool);
            float[] x = BenchWeights.gaussian(set[0].cols(), 5);
            float[] y = new float[set[0].rows()];
            long bytes = set[0].streamedBytes();
            float[] sink = new float[4 * threads];
            int chunks = 4 * threads;
            long chunkBytes = set[0].data().byteSize() / chunks & ~255L;
            int[] next = {0};
            Runnable gemv = () -> {
                kernels.gemv(set[next[0]], x, y);
                next[0] = (next[0] + 1) % set.length;
            };
            Runnable read = () -> {
                MemorySegment data = set[next[0]].data();
                pool.run(chunks, c -> sink[c] += MemoryBandwidth.streamRead(data.asSlice(c * chunkBytes, chunkBytes)));
                next[0] = (next[0] + 1) % set.length;
            };
            timePerCall(gemv);
            timePerCall(read); // warm-up rounds
            double gemvNanos = Double.MAX_VALUE;
            double readNanos = Double.MAX_VALUE;
            for (int r = 0; r < ROUNDS; r++) {
                gemvNanos = Math.min(gemvNanos, timePerCall(gemv));
                readNanos = Math.min(readNanos, timePerCall(read));
            }
            // the read covers the data segment (for Q8_0 the quants; its scales are a heap array 1/8 that size)
            double readBytes = (double) chunkBytes * chunks;
            double gemvGbps = bytes / gemvNanos;
            double readGbps = readBytes / readNanos;
            System.out.printf("%-10s %-5s %-3d %12.1f %12.1f %8.0f%%%n", shape, format, threads, gemvGbps, readGbps,
                    100 * gemvGbps / readGbps);
        }
    }

    /** Mean nanoseconds per call over one round. */
    private static double timePerCall(Runnable call) {
        long start = System.nanoTime();
        long calls = 0;
        long now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < ROUND_NANOS);
        return (double) (now - start) / calls;
    }
}
