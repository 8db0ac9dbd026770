package dev.concord.tensor.kernel.bench;

import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * A quick probe of the engine's matrix-product rates at the model's shapes, for a machine shared with other jobs:
 * the GEMM (32 tokens) runs on the calling thread and is reported per second of that thread's CPU time, so time
 * lost to other processes does not count; the GEMV (1 token, 2 threads) is memory-bound and reported as wall-clock
 * GB/s of weights streamed, best of several blocks. Not part of {@code mvn test}; run with the classpath shown in
 * {@link KernelBenchmarks}: {@code ... dev.concord.tensor.kernel.bench.GemmRate [rounds [F32|BF16]]}.
 */
public final class GemmRate {
    private static final String[] SHAPES = {"768x768", "2048x768", "768x2048", "32000x768"};
    private static final int TOKENS = 32;

    private static final Map<String, WeightMatrix> WEIGHTS = new HashMap<>();
    private static final Arena ARENA = Arena.ofAuto();
    private static ComputePool single;

    private GemmRate() {}

    /**
     * GFLOP/s per second of this thread's CPU time of {@code millis} ms of 32-token GEMMs on one thread
     * ({@code format} F32, BF16 or F16, {@code shape} "outxin"); with {@code format} "GEMV:F32" etc., 1-token calls. Public so that a driver can load two builds of the
     * kernels in separate class loaders and alternate them call by call.
     */
    public static double gemmRate(String format, String shape, long millis) {
        if (single == null) {
            single = new ComputePool(1);
        }
        int[] s = BenchWeights.shape(shape);
        WeightMatrix w = WEIGHTS.computeIfAbsent(format + shape,
                key -> BenchWeights.create(ARENA, WeightFormat.valueOf(format.replace("GEMV:", "")), s[0], s[1], 1)[0]);
        float[] x = BenchWeights.gaussian(TOKENS * s[1], 2);
        float[] y = new float[TOKENS * s[0]];
        int n = format.startsWith("GEMV:") ? 1 : TOKENS;
        Kernels k = Kernels.vector(single);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long calls = 0;
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            k.gemm(w, x, n, y);
            calls++;
        }
        return 2.0 * n * s[0] * s[1] * calls / (mx.getCurrentThreadCpuTime() - cpu0);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String only = args.length > 1 ? args[1] : "";
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared(); ComputePool one = new ComputePool(1); ComputePool two = new ComputePool(2)) {
            Kernels k1 = Kernels.vector(one);
            Kernels k2 = Kernels.vector(two);
            for (WeightFormat format : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16}) {
                if (!only.isEmpty() && !only.equals(format.name())) {
                    continue;
                }
                for (String shape : SHAPES) {
                    int[] s = BenchWeights.shape(shape);
                    WeightMatrix w = BenchWeights.create(arena, format, s[0], s[1], 1)[0];
                    float[] x = BenchWeights.gaussian(TOKENS * s[1], 2);
                    float[] y = new float[TOKENS * s[0]];
                    double flops = 2.0 * TOKENS * s[0] * s[1];
                    double bestGemm = 0;
                    double bestGemv = 0;
                    for (int r = 0; r < rounds; r++) {
                        long cpu0 = mx.getCurrentThreadCpuTime();
                        long calls = 0;
                        long until = System.nanoTime() + 400_000_000L;
                        while (System.nanoTime() < until) {
                            k1.gemm(w, x, TOKENS, y);
                            calls++;
                        }
                        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                        bestGemm = Math.max(bestGemm, flops * calls / cpu);

                        calls = 0;
                        long t0 = System.nanoTime();
                        until = t0 + 300_000_000L;
                        while (System.nanoTime() < until) {
                            k2.gemv(w, x, y);
                            calls++;
                        }
                        long wall = System.nanoTime() - t0;
                        bestGemv = Math.max(bestGemv, (double) w.streamedBytes() * calls / wall);
                    }
                    System.out.printf("%-5s %-10s gemm n=%d: %6.1f GFLOP/s per CPU core   gemv 2 threads: %5.1f GB/s%n",
                            format, shape, TOKENS, bestGemm, bestGemv);
                }
            }
        }
    }
}
