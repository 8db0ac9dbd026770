package dev.concord.tensor.kernel.bench;

import dev.concord.tensor.kernel.MemoryBandwidth;
import dev.concord.tensor.kernel.WeightFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel benchmarks briefly and reports GEMV throughput as GB/s of weights streamed, next to the
 * machine's measured memory bandwidth ({@link MemoryBandwidth}), and GEMM as GFLOP/s. Each figure is the best of 5
 * one-second iterations, as the bandwidth is the best of 5 passes: on a shared machine, other processes can only
 * slow a run down, so the best is the closest to what the code can do. Not part of {@code mvn test}
 * (the classes are not named *Test). Run from the repository root after {@code mvn test-compile}:
 * <pre>
 *   mvn -q -pl concord-tensor dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *        -cp concord-tensor/target/test-classes:concord-tensor/target/classes:$(cat /tmp/cp.txt) \
 *        dev.concord.tensor.kernel.bench.KernelBenchmarks [benchmark-regex]
 * </pre>
 * The bandwidth here is measured after the JMH runs; on a busy machine {@link GemvVersusBandwidth}, which
 * alternates GEMV and plain reads of the same bytes, gives the steadier fraction.
 */
public final class KernelBenchmarks {
    private KernelBenchmarks() {}

    public static void main(String[] args) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.MICROSECONDS)
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-Xmx4g");
        if (args.length > 0) {
            options.include(args[0]);
        } else {
            options.include(GemvBenchmark.class.getSimpleName())
                    .include(GemmBenchmark.class.getSimpleName())
                    .include(CallOverheadBenchmark.class.getSimpleName());
        }
        Collection<RunResult> results = new Runner(options.build()).run();

        MemoryBandwidth.Result one = MemoryBandwidth.measureRead(1, MemoryBandwidth.DEFAULT_BUFFER_BYTES, 5);
        MemoryBandwidth.Result two = MemoryBandwidth.measureRead(2, MemoryBandwidth.DEFAULT_BUFFER_BYTES, 5);
        System.out.println();
        System.out.println("Memory read bandwidth: 1 thread " + one);
        System.out.println("                       2 threads " + two);
        System.out.println();
        List<String> lines = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, String> p = paramsOf(r);
            // the best iteration: on a shared machine other processes only ever slow an iteration down
            double micros = bestIteration(r);
            String bench = r.getParams().getBenchmark();
            int[] s = BenchWeights.shape(p.get("shape"));
            int threads = Integer.parseInt(p.get("threads"));
            if (bench.contains("GemvBenchmark")) {
                WeightFormat f = WeightFormat.valueOf(p.get("format"));
                double gbps = BenchWeights.streamedBytes(f, s[0], s[1]) / (micros * 1e3);
                double bound = (threads == 1 ? one : two).gigabytesPerSecond();
                lines.add(String.format("GEMV %-10s %-5s %d thr %9.1f us  %6.1f GB/s  %4.0f%% of %d-thread bandwidth",
                        p.get("shape"), f, threads, micros, gbps, 100 * gbps / bound, threads));
            } else if (bench.contains("GemmBenchmark")) {
                int n = Integer.parseInt(p.get("n"));
                double gflops = 2.0 * n * s[0] * s[1] / (micros * 1e3);
                lines.add(String.format("GEMM %-10s n=%-3d %-5s %d thr %9.1f us  %6.1f GFLOP/s", p.get("shape"), n,
                        p.get("format"), threads, micros, gflops));
            } else {
                String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
                lines.add(String.format("%-12s %-10s %d thr %9.2f us per call", method,
                        method.equals("gemv") ? p.get("shape") : "", threads, micros));
            }
        }
        lines.forEach(System.out::println);
    }

    private static double bestIteration(RunResult r) {
        double best = Double.MAX_VALUE;
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                best = Math.min(best, i.getPrimaryResult().getScore());
            }
        }
        return best;
    }

    private static Map<String, String> paramsOf(RunResult r) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        for (String key : r.getParams().getParamsKeys()) {
            m.put(key, r.getParams().getParam(key));
        }
        return m;
    }
}
