package dev.concord.cli.commands;

import dev.concord.cli.JsonOutput;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicDirectory;
import dev.concord.model.engine.bench.ForwardBenchmark;
import dev.concord.model.weights.RandomCheckpoint;
import dev.concord.tensor.DType;
import dev.concord.tensor.kernel.MemoryBandwidth;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code concord bench forward}: inference throughput on a random Llama-shaped checkpoint (by default the 124.7M
 * shape: hidden 768, 12 layers, 12 heads, 4 kv heads, intermediate 2048, vocab 32000, untied) in F32 and BF16,
 * with rank-16 adapters on every projection. See {@link ForwardBenchmark} for what is measured.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Measure decode (single-stream and batched across adapters), the naive merge-per-request",
                "baseline and prefill on a random Llama checkpoint; bounds use the measured memory bandwidth.",
                "--save-model / --save-adapters keep the checkpoint and PEFT adapters for other engines."})
public final class BenchForwardCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dtype", paramLabel = "f32|bf16|f16|all", defaultValue = "all",
            description = "Weight dtype(s): f32, bf16, f16, or all (f32 and bf16). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--threads", defaultValue = "2", description = "Compute threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--hidden", defaultValue = "768") int hidden;
    @Option(names = "--intermediate", defaultValue = "2048") int intermediate;
    @Option(names = "--layers", defaultValue = "12") int layers;
    @Option(names = "--heads", defaultValue = "12") int heads;
    @Option(names = "--kv-heads", defaultValue = "4") int kvHeads;
    @Option(names = "--vocab", defaultValue = "32000") int vocab;

    @Option(names = "--rank", defaultValue = "16", description = "Adapter rank. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--adapters", defaultValue = "32",
            description = "Sequences (each with its own adapter) in the batched run. Default: ${DEFAULT-VALUE}.")
    int adapters;

    @Option(names = "--small-batch", defaultValue = "8") int smallBatch;
    @Option(names = "--small-batch-adapters", defaultValue = "4") int smallBatchAdapters;

    @Option(names = "--decode-tokens", defaultValue = "64",
            description = "Timed single-stream decode steps. Default: ${DEFAULT-VALUE}.")
    int decodeTokens;

    @Option(names = "--batch-steps", defaultValue = "16",
            description = "Timed decode steps of each batched run (and tokens per naive request). Default: ${DEFAULT-VALUE}.")
    int batchSteps;

    @Option(names = "--naive-requests", defaultValue = "32",
            description = "Requests served one by one with merged weights. Default: ${DEFAULT-VALUE}.")
    int naiveRequests;

    @Option(names = "--prefill-tokens", defaultValue = "512") int prefillTokens;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--save-model", paramLabel = "DIR",
            description = "Keep the random checkpoint in DIR (DIR/<dtype> when several dtypes run).")
    Path saveModel;

    @Option(names = "--save-adapters", paramLabel = "DIR",
            description = "Keep the PEFT adapters in DIR (DIR/<dtype> when several dtypes run).")
    Path saveAdapters;

    @Option(names = "--bandwidth", paramLabel = "GB/s",
            description = "Use this read bandwidth for the bounds instead of measuring it.")
    Double bandwidth;

    @CommandLine.Mixin
    JsonOutput json;

    @Override
    public Integer call() throws IOException {
        List<DType> dtypes = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> List.of(DType.F32);
            case "bf16" -> List.of(DType.BF16);
            case "f16" -> List.of(DType.F16);
            case "all" -> List.of(DType.F32, DType.BF16);
            default -> throw new InvalidInputException("--dtype must be f32, bf16, f16 or all, got '" + dtype + "'");
        };
        if (threads < 1 || rank < 1 || adapters < 1 || smallBatch < 1 || smallBatchAdapters < 1
                || smallBatchAdapters > adapters || decodeTokens < 1 || batchSteps < 1 || naiveRequests < 0
                || prefillTokens < 1) {
            throw new InvalidInputException("bench sizes must be positive (and --small-batch-adapters <= --adapters)");
        }
        RandomCheckpoint.Shape shape = new RandomCheckpoint.Shape(hidden, intermediate, layers, heads, kvHeads, vocab,
                false);
        if (prefillTokens + 64 > 2048) {
            throw new InvalidInputException("--prefill-tokens must leave room in the 2048-token context");
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        double gbs;
        if (bandwidth != null) {
            gbs = bandwidth;
        } else {
            MemoryBandwidth.Result bw = ForwardBenchmark.bandwidth(threads);
            err.println("memory read bandwidth: " + bw);
            gbs = bw.gigabytesPerSecond();
        }
        List<ForwardBenchmark.Result> results = new ArrayList<>();
        Path temp = Files.createTempDirectory("concord-bench-");
        try {
            for (DType d : dtypes) {
                String sub = d.name().toLowerCase(Locale.ROOT);
                Path modelDir = saveModel == null ? temp.resolve("model-" + sub)
                        : dtypes.size() == 1 ? saveModel : saveModel.resolve(sub);
                Path adapterDir = saveAdapters == null ? temp.resolve("adapters-" + sub)
                        : dtypes.size() == 1 ? saveAdapters : saveAdapters.resolve(sub);
                ForwardBenchmark.Config c = new ForwardBenchmark.Config(shape, d, threads, rank, adapters, smallBatch,
                        smallBatchAdapters, decodeTokens, batchSteps, naiveRequests, prefillTokens, modelDir,
                        adapterDir, seed);
                results.add(new ForwardBenchmark(c, line -> {
                    err.println(line);
                    err.flush();
                }).run(gbs));
            }
        } finally {
            AtomicDirectory.deleteTree(temp);
        }
        json.emit(toJson(shape, gbs, results), out, () -> printTable(out, results));
        return 0;
    }

    private Map<String, Object> toJson(RandomCheckpoint.Shape shape, double gbs, List<ForwardBenchmark.Result> rs) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("shape", shape);
        j.put("threads", threads);
        j.put("bandwidth_gb_s", gbs);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ForwardBenchmark.Result r : rs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dtype", r.dtype().name());
            m.put("parameters", r.parameters());
            m.put("gemm_gflops", r.gemmGflops());
            m.put("bytes_per_token", r.bytesPerToken());
            m.put("adapter_bytes", r.adapterBytes());
            for (ForwardBenchmark.Rate rate : List.of(r.singleStream(), r.batchedAdapters(), r.batchedBase(),
                    r.smallMixed(), r.smallOneAdapter(), r.smallBase(), r.naive(), r.prefill(), r.q8SingleStream())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("tokens_per_s", rate.tokensPerSecond());
                if (rate.boundTokensPerSecond() > 0) {
                    e.put("bound_tokens_per_s", rate.boundTokensPerSecond());
                    e.put("fraction_of_bound", rate.fractionOfBound());
                }
                if (rate.rooflineTokensPerSecond() > 0) {
                    e.put("roofline_tokens_per_s", rate.rooflineTokensPerSecond());
                    e.put("fraction_of_roofline", rate.fractionOfRoofline());
                }
                m.put(rate.name(), e);
            }
            m.put("q8_0_logit_deviation", r.q8Cost());
            m.put("batched_adapters_over_no_adapter", r.adapterOverheadRatio());
            m.put("batched_over_naive", r.batchedOverNaive());
            list.add(m);
        }
        j.put("results", list);
        return j;
    }

    private static void printTable(PrintWriter out, List<ForwardBenchmark.Result> rs) {
        for (ForwardBenchmark.Result r : rs) {
            out.printf(Locale.ROOT, "%s, %,d parameters, %.1f MB read per decoded token, %.1f MB per adapter, "
                    + "%.1f GB/s read bandwidth, %.1f GFLOP/s kernel GEMM%n", r.dtype(), r.parameters(),
                    r.bytesPerToken() / 1e6, r.adapterBytes() / 1e6, r.bandwidthGBs(), r.gemmGflops());
            for (ForwardBenchmark.Rate rate : List.of(r.singleStream(), r.batchedAdapters(), r.batchedBase(),
                    r.smallMixed(), r.smallOneAdapter(), r.smallBase(), r.naive(), r.prefill(), r.q8SingleStream())) {
                String bound = rate.boundTokensPerSecond() > 0
                        ? String.format(Locale.ROOT, "  %5.1f%% of bandwidth bound (%.1f)", 100 * rate.fractionOfBound(),
                                rate.boundTokensPerSecond())
                        : "";
                String roof = rate.rooflineTokensPerSecond() > 0
                        ? String.format(Locale.ROOT, "  %5.1f%% of roofline (%.1f)", 100 * rate.fractionOfRoofline(),
                                rate.rooflineTokensPerSecond())
                        : "";
                out.printf(Locale.ROOT, "  %-52s %9.1f tok/s%s%s%n", rate.name(), rate.tokensPerSecond(), bound, roof);
            }
            out.printf(Locale.ROOT, "  q8_0 logits vs %s: max deviation %.4f of max|logit|, rms %.4f, top-1 agreement %.3f%n",
                    r.dtype(), r.q8Cost().maxDeviation(), r.q8Cost().rmsDeviation(), r.q8Cost().top1Agreement());
            out.printf(Locale.ROOT, "  batched with distinct adapters / without adapters: %.3f%n",
                    r.adapterOverheadRatio());
            out.printf(Locale.ROOT, "  batched SGMV / naive merge-per-request:            %.2fx%n", r.batchedOverNaive());
        }
    }
}
