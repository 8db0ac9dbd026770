package dev.concord.analysis;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.progress.Progress;
import dev.concord.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The zoo screen benchmark behind {@code concord bench analyze}: N synthetic rank-r adapters on a Llama-1B-shaped
 * model (hidden 2048, intermediate 8192, 16 layers, 32 heads / 8 KV heads, all seven projections), written as real
 * PEFT directories and analysed through the same path as {@code concord analyze --sample S} (all N·(N−1)/2 pairs).
 * Generation and analysis are timed separately; only the analysis is the benchmark.
 */
public final class AnalysisBench {
    private AnalysisBench() {}

    /**
     * @param adapters N
     * @param rank LoRA rank of every adapter
     * @param sample positions sampled per module for the element-wise statistics
     * @param layers decoder layers (16 for the Llama-1B shape; fewer for a quick run)
     */
    public record Config(int adapters, int rank, int sample, int layers, long seed) {
        public static Config llama1b() {
            return new Config(100, 16, 1024, 16, 1);
        }
    }

    /** Timings and sizes of one run. */
    public record Result(Config config, int modules, int pairs, double generateSeconds, double analyzeSeconds,
            double analyzeCpuSeconds, double spectralSeconds, double elementwiseSeconds, double loadSeconds,
            long adapterBytes, int threads, AnalysisReport report) {}

    /** CPU time of the whole process so far (all threads), or NaN when the JVM does not report it. */
    static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    public static SyntheticAdapterSpec spec(Config c, long seed) {
        return new SyntheticAdapterSpec(2048, 8192, c.layers(), 32, 8, 32000, c.rank(), 2.0 * c.rank(), false,
                SyntheticAdapterSpec.ALL_PROJECTIONS, DType.BF16, 0.02, seed);
    }

    /**
     * The seed of adapter i. SyntheticAdapters seeds each factor's SplittableRandom with seed·φ + hash(factor), and
     * SplittableRandom advances by that same φ per value, so seeds s and s + k give one stream shifted by k values:
     * adapters with nearby seeds would share their subspaces. Seeds 2^20 apart keep the streams disjoint for
     * every factor of this shape (the largest holds 8192·r values).
     */
    static long seedOf(Config c, int i) {
        return (c.seed() * 1_000_003L + i) << 20;
    }

    /** Writes the adapters under {@code dir} (reusing ones already there from an identical run). */
    public static List<Path> generate(Config c, Path dir, Progress progress) {
        List<Path> out = new ArrayList<>();
        try (Progress.Task task = progress.start("generate " + c.adapters() + " adapters", c.adapters())) {
            for (int i = 0; i < c.adapters(); i++) {
                // the name records everything the adapter depends on, so a reused directory never holds another zoo
                Path a = dir.resolve(String.format("zoo-%03d-r%d-l%d-s%d", i, c.rank(), c.layers(), c.seed()));
                if (!Files.isRegularFile(a.resolve(LoraAdapter.WEIGHTS_FILE))) {
                    SyntheticAdapters.write(a, spec(c, seedOf(c, i)));
                }
                out.add(a);
                task.step();
            }
        }
        return out;
    }

    public static Result run(Config c, Path dir, Progress progress) {
        long t0 = System.nanoTime();
        List<Path> paths = generate(c, dir, progress);
        long t1 = System.nanoTime();
        List<LoraAdapter> open = new ArrayList<>();
        try {
            List<NamedAdapter> named = new ArrayList<>();
            long bytes = 0;
            for (Path p : paths) {
                LoraAdapter a = LoraAdapter.load(p);
                open.add(a);
                named.add(new NamedAdapter(p.getFileName().toString(), a));
                bytes += p.resolve(LoraAdapter.WEIGHTS_FILE).toFile().length();
            }
            long t2 = System.nanoTime();
            double cpu0 = processCpuSeconds();
            AnalysisReport r = ConflictAnalyzer.analyze(named,
                    AnalysisOptions.defaults().withSample(c.sample(), c.seed()).withModuleDetail(false), progress);
            long t3 = System.nanoTime();
            double cpu = processCpuSeconds() - cpu0;
            return new Result(c, r.modules().size(), r.pairs().size(), (t1 - t0) / 1e9, (t3 - t2) / 1e9, cpu,
                    r.timing().spectralSeconds(), r.timing().elementwiseSeconds(), (t2 - t1) / 1e9, bytes,
                    r.timing().threads(), r);
        } finally {
            open.forEach(LoraAdapter::close);
        }
    }
}
