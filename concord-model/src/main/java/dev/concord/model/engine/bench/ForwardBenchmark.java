package dev.concord.model.engine.bench;

import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.engine.SequenceInput;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.lora.LoraFactors;
import dev.concord.model.lora.LoraMerge;
import dev.concord.model.sample.TokenSampler;
import dev.concord.model.weights.LayerWeights;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.model.weights.Quantization;
import dev.concord.model.weights.RandomCheckpoint;
import dev.concord.model.weights.WeightMemory;
import dev.concord.tensor.DType;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.MemoryBandwidth;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The measurements behind {@code concord bench forward}, on a random Llama checkpoint written to disk and loaded
 * through the ordinary memory-mapped path:
 * <ul>
 *   <li>single-stream decode, against the memory-bandwidth bound (weight bytes read per token ÷ measured read
 *       bandwidth);</li>
 *   <li>batched decode of many sequences with distinct adapters (SGMV) against the same batch without adapters and
 *       against the bytes-moved bound (base weights plus every distinct adapter once per step);</li>
 *   <li>a small batch over few adapters, over one adapter, over none;</li>
 *   <li>the naive way to serve the same requests: one at a time, each adapter folded into a copy of the weights
 *       and dropped afterwards;</li>
 *   <li>prefill throughput of a long prompt;</li>
 *   <li>the logit deviation and decode speed of q8_0 weights.</li>
 * </ul>
 * Each rate is the best of three timed runs after a warm-up, so that other processes sharing the cores disturb the
 * figures less; batch configurations that are compared with one another run their timed blocks interleaved. The
 * naive baseline runs once (it is long).
 */
public final class ForwardBenchmark {
    /** What to run. */
    public record Config(RandomCheckpoint.Shape shape, DType dtype, int threads, int rank, int adapters,
            int smallBatch, int smallBatchAdapters, int decodeTokens, int batchSteps, int naiveRequests,
            int prefillTokens, Path modelDir, Path adapterDir, long seed) {}

    /**
     * Tokens per second of one measurement, the memory-bandwidth bound (bytes a step must read ÷ measured read
     * bandwidth) and the roofline bound, the lower of that and the compute bound (the step's matrix-product FLOPs ÷
     * the FLOP rate the kernels reach on a compute-bound product); 0 where no bound applies.
     */
    public record Rate(String name, double tokensPerSecond, double boundTokensPerSecond,
            double rooflineTokensPerSecond) {
        public double fractionOfBound() {
            return boundTokensPerSecond > 0 ? tokensPerSecond / boundTokensPerSecond : Double.NaN;
        }

        public double fractionOfRoofline() {
            return rooflineTokensPerSecond > 0 ? tokensPerSecond / rooflineTokensPerSecond : Double.NaN;
        }
    }

    /** How far q8_0 weights move the logits of a prompt from the unquantized ones. */
    public record QuantizationCost(double maxDeviation, double rmsDeviation, double top1Agreement) {}

    /** Everything measured for one dtype. */
    public record Result(DType dtype, long parameters, double bandwidthGBs, double gemmGflops, long bytesPerToken,
            long adapterBytes,
            Rate singleStream, Rate batchedAdapters, Rate batchedBase, Rate smallMixed, Rate smallOneAdapter,
            Rate smallBase, Rate naive, Rate prefill, Rate q8SingleStream, QuantizationCost q8Cost) {
        /** Batched decode with distinct adapters relative to the same batch without adapters. */
        public double adapterOverheadRatio() {
            return batchedAdapters.tokensPerSecond() / batchedBase.tokensPerSecond();
        }

        /** Batched SGMV serving relative to serving the same requests one by one with merged weights. */
        public double batchedOverNaive() {
            return batchedAdapters.tokensPerSecond() / naive.tokensPerSecond();
        }
    }

    /** Timed repetitions of each measurement; the best counts, as other processes may share the cores. */
    private static final int REPEATS = 3;

    private final Config config;
    private final Consumer<String> log;
    private double gflops;
    private double baseFlops;
    private double adapterFlops;

    public ForwardBenchmark(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    /** Measures the read bandwidth the bounds are computed from (two threads, 1 GiB, best of 5 by default). */
    public static MemoryBandwidth.Result bandwidth(int threads) {
        return MemoryBandwidth.measureRead(threads, MemoryBandwidth.DEFAULT_BUFFER_BYTES, 5);
    }

    public Result run(double bandwidthGBs) {
        RandomCheckpoint.Shape shape = config.shape();
        log.accept("writing random " + config.dtype() + " checkpoint (" + shape.parameterCount() + " parameters) to "
                + config.modelDir());
        RandomCheckpoint.write(config.modelDir(), shape, config.dtype(), config.seed());
        List<Path> adapterDirs = writeAdapters();
        EngineOptions options = EngineOptions.defaults().withThreads(config.threads());
        try (ModelWeights weights = ModelWeights.load(config.modelDir());
                InferenceEngine engine = new InferenceEngine(weights, options)) {
            List<AdapterWeights> adapters = new ArrayList<>();
            for (Path d : adapterDirs) {
                adapters.add(AdapterWeights.load(d, weights.config(), Optional.of(WeightFormat.of(config.dtype()))));
            }
            double bytesPerSecond = bandwidthGBs * 1e9;
            long bytesPerToken = weights.bytesReadPerToken();
            long adapterBytes = adapters.isEmpty() ? 0 : adapters.getFirst().bytes();
            gflops = gemmGflops(WeightFormat.of(config.dtype()), config.threads());
            baseFlops = matmulFlopsPerToken(weights);
            adapterFlops = adapters.isEmpty() ? 0 : adapterFlopsPerToken(adapters.getFirst());
            log.accept(String.format("kernel GEMM rate (%s, 64 tokens): %.1f GFLOP/s; %.2f GFLOP per token, %.3f more "
                    + "per adapted token", config.dtype(), gflops, baseFlops / 1e9, adapterFlops / 1e9));

            Rate single = singleStream(engine, bytesPerToken, bytesPerSecond);
            int batch = config.adapters();
            List<AdapterMix> distinct = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                distinct.add(AdapterMix.single(adapters.get(i % adapters.size())));
            }
            long stepBytesBase = stepBytes(weights, batch);
            long stepBytesAdapters = stepBytesBase + (long) Math.min(batch, adapters.size()) * adapterBytes;
            List<Rate> big = batched(engine, List.of(
                    new BatchRun("batched decode, " + batch + " seqs x " + batch + " adapters", distinct,
                            stepBytesAdapters, true),
                    new BatchRun("batched decode, " + batch + " seqs, no adapter", repeat(AdapterMix.NONE, batch),
                            stepBytesBase, false)), bytesPerSecond);

            int small = config.smallBatch();
            List<AdapterMix> mixed = new ArrayList<>();
            for (int i = 0; i < small; i++) {
                mixed.add(AdapterMix.single(adapters.get(i % config.smallBatchAdapters())));
            }
            long smallBase = stepBytes(weights, small);
            List<Rate> few = batched(engine, List.of(
                    new BatchRun(small + " seqs over " + config.smallBatchAdapters() + " adapters", mixed,
                            smallBase + config.smallBatchAdapters() * adapterBytes, true),
                    new BatchRun(small + " seqs over 1 adapter", repeat(AdapterMix.single(adapters.get(0)), small),
                            smallBase + adapterBytes, true),
                    new BatchRun(small + " seqs, no adapter", repeat(AdapterMix.NONE, small), smallBase, false)),
                    bytesPerSecond);
            Rate batchedAdapters = big.get(0);
            Rate batchedBase = big.get(1);
            Rate smallMixed = few.get(0);
            Rate smallOne = few.get(1);
            Rate smallNone = few.get(2);

            Rate naive = naive(weights, adapters, options);
            Rate prefill = prefill(engine);
            int[] probe = prompt(64, 9);
            float[] exact;
            try (Sequence s = engine.newSequence()) {
                exact = engine.forwardAll(s, probe);
            }
            Rate q8;
            QuantizationCost cost;
            try (ModelWeights q8Weights = ModelWeights.load(config.modelDir(), Quantization.Q8_0);
                    InferenceEngine q8Engine = new InferenceEngine(q8Weights, options)) {
                float[] quantized;
                try (Sequence s = q8Engine.newSequence()) {
                    quantized = q8Engine.forwardAll(s, probe);
                }
                cost = cost(exact, quantized, weights.config().vocabSize());
                log.accept(String.format("q8_0 logits vs %s: max deviation %.4f of max|logit|, rms %.4f of rms logit, "
                        + "top-1 agreement %.3f", config.dtype(), cost.maxDeviation(), cost.rmsDeviation(),
                        cost.top1Agreement()));
                q8 = singleStream(q8Engine, q8Weights.bytesReadPerToken(), bytesPerSecond, "single-stream decode, q8_0");
            }
            return new Result(config.dtype(), weights.parameterCount(), bandwidthGBs, gflops, bytesPerToken, adapterBytes,
                    single, batchedAdapters, batchedBase, smallMixed, smallOne, smallNone, naive, prefill, q8, cost);
        }
    }

    private static QuantizationCost cost(float[] exact, float[] quantized, int vocab) {
        double maxAbs = 0;
        double maxDiff = 0;
        double sq = 0;
        double sqDiff = 0;
        for (int i = 0; i < exact.length; i++) {
            double d = (double) quantized[i] - exact[i];
            maxAbs = Math.max(maxAbs, Math.abs(exact[i]));
            maxDiff = Math.max(maxDiff, Math.abs(d));
            sq += (double) exact[i] * exact[i];
            sqDiff += d * d;
        }
        int rows = exact.length / vocab;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            if (TokenSampler.argmax(exact, r * vocab, vocab) == TokenSampler.argmax(quantized, r * vocab, vocab)) {
                agree++;
            }
        }
        return new QuantizationCost(maxDiff / maxAbs, Math.sqrt(sqDiff / sq), agree / (double) rows);
    }

    private List<Path> writeAdapters() {
        List<Path> dirs = new ArrayList<>();
        RandomCheckpoint.Shape s = config.shape();
        log.accept("writing " + config.adapters() + " random rank-" + config.rank() + " " + config.dtype()
                + " adapters (all projections) to " + config.adapterDir());
        for (int i = 0; i < config.adapters(); i++) {
            Path dir = config.adapterDir().resolve(String.format("adapter-%02d", i));
            if (!Files.exists(dir.resolve("adapter_config.json"))) {
                SyntheticAdapters.write(dir, new SyntheticAdapterSpec(s.hidden(), s.intermediate(), s.layers(),
                        s.heads(), s.kvHeads(), s.vocab(), config.rank(), 2.0 * config.rank(), false,
                        SyntheticAdapterSpec.ALL_PROJECTIONS, config.dtype(), 0.02, config.seed() + i));
            }
            dirs.add(dir);
        }
        return dirs;
    }

    /** Base bytes one decode step of {@code rows} sequences reads: every matrix once, one embedding row each. */
    private static long stepBytes(ModelWeights w, int rows) {
        return w.bytesReadPerToken() + (long) (rows - 1) * w.embedding().rowBytes();
    }

    private static List<AdapterMix> repeat(AdapterMix mix, int n) {
        List<AdapterMix> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(mix);
        }
        return out;
    }

    /** Token ids of a test prompt, spread over the vocabulary. */
    private int[] prompt(int length, int salt) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = token(i * 7919 + salt * 104729);
        }
        return p;
    }

    private int token(int i) {
        return 1 + Math.floorMod(i, config.shape().vocab() - 1);
    }

    private Rate singleStream(InferenceEngine engine, long bytesPerToken, double bytesPerSecond) {
        return singleStream(engine, bytesPerToken, bytesPerSecond, "single-stream decode");
    }

    private Rate singleStream(InferenceEngine engine, long bytesPerToken, double bytesPerSecond, String name) {
        int n = config.decodeTokens();
        double best = 0;
        // warm-up run, then the best of REPEATS timed runs (other processes may share the cores)
        for (int rep = 0; rep <= REPEATS; rep++) {
            try (Sequence s = engine.newSequence()) {
                engine.forwardLast(s, prompt(16, 0));
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    engine.forwardLast(s, token(i));
                }
                double rate = n / ((System.nanoTime() - t0) / 1e9);
                if (rep > 0) {
                    best = Math.max(best, rate);
                }
            }
        }
        double bound = bytesPerSecond / bytesPerToken;
        double flopBound = gflops * 1e9 / baseFlops;
        Rate r = new Rate(name, best, bound, Math.min(bound, flopBound));
        log.accept(describe(r));
        return r;
    }

    /** One batched configuration: the adapter mix of each sequence and the bytes a step must read. */
    private record BatchRun(String name, List<AdapterMix> mixes, long stepBytes, boolean adapted) {}

    /**
     * Decode rates of several batch configurations compared with one another. Their timed blocks are interleaved
     * (A, B, C, A, B, C, ...) and the best block of each counts, so that a slow spell of the machine does not fall
     * on one configuration only.
     */
    private List<Rate> batched(InferenceEngine engine, List<BatchRun> runs, double bytesPerSecond) {
        int steps = config.batchSteps();
        List<List<Sequence>> seqs = new ArrayList<>();
        try {
            for (BatchRun run : runs) {
                List<Sequence> group = new ArrayList<>();
                List<SequenceInput> prefill = new ArrayList<>();
                for (int i = 0; i < run.mixes().size(); i++) {
                    Sequence s = engine.newSequence(run.mixes().get(i));
                    group.add(s);
                    prefill.add(SequenceInput.last(s, prompt(16, i)));
                }
                seqs.add(group);
                engine.forward(prefill);
                decodeSteps(engine, group, Math.max(2, steps / 4));
            }
            double[] best = new double[runs.size()];
            for (int rep = 0; rep < REPEATS; rep++) {
                for (int k = 0; k < runs.size(); k++) {
                    long t0 = System.nanoTime();
                    decodeSteps(engine, seqs.get(k), steps);
                    best[k] = Math.max(best[k], steps * runs.get(k).mixes().size() / ((System.nanoTime() - t0) / 1e9));
                }
            }
            List<Rate> rates = new ArrayList<>();
            for (int k = 0; k < runs.size(); k++) {
                BatchRun run = runs.get(k);
                int n = run.mixes().size();
                double boundSteps = bytesPerSecond / run.stepBytes();
                double flopSteps = gflops * 1e9 / (n * (baseFlops + (run.adapted() ? adapterFlops : 0)));
                Rate r = new Rate(run.name(), best[k], boundSteps * n, Math.min(boundSteps, flopSteps) * n);
                log.accept(describe(r));
                rates.add(r);
            }
            return rates;
        } finally {
            seqs.forEach(g -> g.forEach(Sequence::close));
        }
    }

    private void decodeSteps(InferenceEngine engine, List<Sequence> seqs, int steps) {
        for (int t = 0; t < steps; t++) {
            List<SequenceInput> step = new ArrayList<>(seqs.size());
            for (int i = 0; i < seqs.size(); i++) {
                step.add(SequenceInput.last(seqs.get(i), token(i + t)));
            }
            engine.forward(step);
        }
    }

    /**
     * The same requests as the batched run (a 16-token prompt, then {@code batchSteps} decode steps), served one at
     * a time: fold the request's adapter into a copy of the weights (in the base dtype), run it, drop the copy.
     */
    private Rate naive(ModelWeights base, List<AdapterWeights> adapters, EngineOptions options) {
        int requests = config.naiveRequests();
        int steps = config.batchSteps();
        Kernels kernels = Kernels.preferred();
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            // closing the merged weights drops the merged copies: the un-merge
            try (ModelWeights merged = LoraMerge.fold(base, AdapterMix.single(adapters.get(i % adapters.size())),
                    WeightFormat.of(config.dtype()), kernels);
                    InferenceEngine engine = new InferenceEngine(merged, options);
                    Sequence s = engine.newSequence()) {
                engine.forwardLast(s, prompt(16, i));
                for (int t = 0; t < steps; t++) {
                    engine.forwardLast(s, token(i + t));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Rate r = new Rate("naive: " + requests + " requests one by one, merge + unmerge", requests * steps / seconds, 0,
                0);
        log.accept(describe(r));
        return r;
    }

    private Rate prefill(InferenceEngine engine) {
        int n = config.prefillTokens();
        try (Sequence s = engine.newSequence()) {
            engine.forwardLast(s, prompt(Math.min(n, 64), 3));
        }
        double best = 0;
        for (int rep = 0; rep < REPEATS; rep++) {
            try (Sequence s = engine.newSequence()) {
                long t0 = System.nanoTime();
                engine.forwardLast(s, prompt(n, 5 + rep));
                best = Math.max(best, n / ((System.nanoTime() - t0) / 1e9));
            }
        }
        double flopBound = gflops * 1e9 / baseFlops;
        Rate r = new Rate("prefill, " + n + "-token prompt", best, 0, flopBound);
        log.accept(describe(r));
        return r;
    }

    private static String describe(Rate r) {
        String bound = r.boundTokensPerSecond() > 0
                ? String.format(" (%.0f%% of the %.1f tok/s bandwidth bound)", 100 * r.fractionOfBound(),
                        r.boundTokensPerSecond())
                : "";
        String roof = r.rooflineTokensPerSecond() > 0
                ? String.format(" (%.0f%% of the %.1f tok/s roofline)", 100 * r.fractionOfRoofline(),
                        r.rooflineTokensPerSecond())
                : "";
        return String.format("%-52s %9.1f tok/s%s%s", r.name(), r.tokensPerSecond(), bound, roof);
    }

    /** FLOPs of the matrix products for one token: 2 per weight of every projection and the output layer. */
    private static double matmulFlopsPerToken(ModelWeights w) {
        double total = (double) w.lmHead().weight().rows() * w.lmHead().weight().cols();
        for (LayerWeights l : w.layers()) {
            for (Projection p : Projection.values()) {
                total += (double) l.linear(p).outFeatures() * l.linear(p).inFeatures();
            }
        }
        return 2 * total;
    }

    /** FLOPs of one adapter's shrinks and expands for one token. */
    private static double adapterFlopsPerToken(AdapterWeights a) {
        double total = 0;
        for (int l = 0; l < a.layerCount(); l++) {
            for (Projection p : Projection.values()) {
                LoraFactors f = a.factors(l, p);
                if (f != null) {
                    total += (double) f.rank() * (f.inFeatures() + f.outFeatures());
                }
            }
        }
        return 2 * total;
    }

    /**
     * The FLOP rate the kernels reach on a compute-bound product (64 tokens through a [2048, 768] matrix of the
     * benchmark's dtype, as in an MLP projection): the ceiling of batched decoding and prefill.
     */
    static double gemmGflops(WeightFormat format, int threads) {
        int rows = 2048;
        int cols = 768;
        int n = 64;
        try (Arena arena = Arena.ofShared(); ComputePool pool = new ComputePool(threads)) {
            // the same kind of memory as the model's weights, so the probe does not disturb the kernels' compilation
            MemorySegment data = WeightMemory.allocate((long) rows * cols * format.elementBytes(), "GEMM probe", arena);
            for (long i = 0; i < data.byteSize(); i += 2) {
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) 0x3c00);
            }
            WeightMatrix w = WeightMatrix.of(format, data, rows, cols);
            Kernels kernels = Kernels.vector(pool);
            float[] x = new float[n * cols];
            float[] y = new float[n * rows];
            Arrays.fill(x, 0.01f);
            double best = 0;
            for (int rep = 0; rep < 4; rep++) {
                long t0 = System.nanoTime();
                for (int it = 0; it < 20; it++) {
                    kernels.matmul(w, x, 0, cols, n, y, 0, rows, 1f, null, false);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) {
                    best = Math.max(best, 20 * 2.0 * n * rows * cols / seconds / 1e9);
                }
            }
            return best;
        }
    }
}
