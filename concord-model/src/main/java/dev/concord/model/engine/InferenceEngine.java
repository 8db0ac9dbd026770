package dev.concord.model.engine;

import dev.concord.model.config.ModelConfig;
import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.weights.ModelWeights;
import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a Llama-family model (Llama 2/3/3.x, Mistral, Qwen2) on the CPU, batching any number of sequences, each
 * with its own mix of LoRA adapters, into one forward step: prompts being prefilled and sequences decoding their
 * next token go through the same step. Keys and values live in a paged cache shared by all sequences.
 *
 * <p>Semantics are those of Hugging Face transformers computed in float32: RMSNorm, rotate-half RoPE (with the
 * config's scaling), grouped-query attention scaled by 1/sqrt(head_dim) with a causal mask (and Mistral's sliding
 * window), SiLU-gated MLP, biases where the checkpoint has them. LoRA is applied unmerged
 * ({@code y = W x + Σ w·s·B(A x)}) per segment of rows sharing an adapter; fold adapters into the weights with
 * {@link dev.concord.model.lora.LoraMerge} for single-adapter deployments instead.
 *
 * <p>A sequence's results do not depend on the other sequences of its batch: every kernel computes each output
 * element with the same operations whatever the batch, and adapters are applied in a fixed order. Forward steps
 * are serialized; each is parallel inside.
 */
public final class InferenceEngine implements AutoCloseable {
    private final ModelWeights weights;
    private final ModelConfig config;
    private final ComputePool pool;
    private final boolean ownsPool;
    private final Kernels kernels;
    private final ComputePool serialPool;
    private final Kernels serialKernels;
    private final KvBlockPool kvPool;
    private final RotaryEmbedding rope;
    private final AtomicLong sequenceIds = new AtomicLong();
    private final ReentrantLock stepLock = new ReentrantLock();
    private final Workspace workspace = new Workspace();

    public InferenceEngine(ModelWeights weights) {
        this(weights, EngineOptions.defaults());
    }

    public InferenceEngine(ModelWeights weights, EngineOptions options) {
        this.weights = weights;
        this.config = weights.config();
        ComputePool shared = ComputePool.shared();
        if (options.threads() == shared.threads()) {
            this.pool = shared;
            this.ownsPool = false;
        } else {
            this.pool = new ComputePool(options.threads());
            this.ownsPool = true;
        }
        boolean scalar = options.scalarKernels() || !Kernels.vectorSupported();
        this.kernels = scalar ? Kernels.scalar() : Kernels.vector(pool);
        // a one-thread pool runs its chunks inline: these kernels may be called from inside the main pool's chunks
        this.serialPool = new ComputePool(1);
        this.serialKernels = scalar ? Kernels.scalar() : Kernels.vector(serialPool);
        int blocks = (int) Math.min(Integer.MAX_VALUE - 8,
                ((long) options.kvMaxTokens() + options.kvBlockSize() - 1) / options.kvBlockSize());
        this.kvPool = new KvBlockPool(config.numLayers(), config.numKvHeads() * config.headDim(), options.kvBlockSize(),
                blocks);
        this.rope = new RotaryEmbedding(config);
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** Threads a forward step uses, the caller included. */
    public int threads() {
        return kernels == Kernels.scalar() ? 1 : pool.threads();
    }

    public KvBlockPool kvPool() {
        return kvPool;
    }

    ComputePool pool() {
        return pool;
    }

    /** Kernels that compute on the calling thread, for work already split across the pool (LoRA segments). */
    Kernels serialKernels() {
        return serialKernels;
    }

    RotaryEmbedding rope() {
        return rope;
    }

    Workspace workspace() {
        return workspace;
    }

    /** Starts a sequence with no adapter. */
    public Sequence newSequence() {
        return newSequence(AdapterMix.NONE);
    }

    /** Starts a sequence that runs with {@code adapters}; it holds no cache memory until its first step. */
    public Sequence newSequence(AdapterMix adapters) {
        for (AdapterMix.Entry e : adapters.entries()) {
            if (e.adapter().layerCount() != config.numLayers()) {
                throw new IllegalArgumentException("adapter " + e.adapter().name() + " was prepared for "
                        + e.adapter().layerCount() + " layers, the model has " + config.numLayers());
            }
        }
        return new Sequence(sequenceIds.incrementAndGet(), adapters, new SequenceKv(kvPool));
    }

    /**
     * Runs one step: appends each input's tokens to its sequence and returns, in input order, the logits asked
     * for: {@code [tokens, vocab]} row-major for {@link SequenceInput#all}, {@code [vocab]} for
     * {@link SequenceInput#last}.
     *
     * @throws dev.concord.error.InvalidInputException for empty token lists, ids outside the vocabulary, or a
     *     sequence that would outgrow the model's context
     */
    public List<float[]> forward(List<SequenceInput> inputs) {
        stepLock.lock();
        try {
            return new ForwardPass(this, inputs).run();
        } finally {
            stepLock.unlock();
        }
    }

    /** Convenience: one sequence, logits at every position. */
    public float[] forwardAll(Sequence sequence, int... tokens) {
        return forward(List.of(SequenceInput.all(sequence, tokens))).getFirst();
    }

    /** Convenience: one sequence, logits at the last position. */
    public float[] forwardLast(Sequence sequence, int... tokens) {
        return forward(List.of(SequenceInput.last(sequence, tokens))).getFirst();
    }

    @Override
    public void close() {
        serialPool.close();
        if (ownsPool) {
            pool.close();
        }
    }
}
