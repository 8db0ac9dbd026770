package dev.concord.model.engine;

import dev.concord.model.kv.KvBlockPool;

/**
 * How an {@link InferenceEngine} runs.
 *
 * @param threads       compute threads, the calling thread included
 * @param scalarKernels use the plain-Java reference kernels for the matrix products instead of the Vector API ones
 *                      (tests, checks); attention and the LoRA expand are the engine's own vector code either way
 * @param kvBlockSize   positions per KV cache block
 * @param kvMaxTokens   positions the KV pool can hold over all live sequences (memory is taken as used)
 */
public record EngineOptions(int threads, boolean scalarKernels, int kvBlockSize, int kvMaxTokens) {
    public EngineOptions {
        if (threads < 1 || kvBlockSize < 1 || kvMaxTokens < 1) {
            throw new IllegalArgumentException("threads, KV block size and KV capacity must be positive");
        }
    }

    /** Vector kernels on every available processor, blocks of 16 positions, room for 256K cached positions. */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), false, KvBlockPool.DEFAULT_BLOCK_SIZE,
                1 << 18);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(t, scalarKernels, kvBlockSize, kvMaxTokens);
    }

    public EngineOptions withScalarKernels(boolean scalar) {
        return new EngineOptions(threads, scalar, kvBlockSize, kvMaxTokens);
    }

    public EngineOptions withKvBlockSize(int size) {
        return new EngineOptions(threads, scalarKernels, size, kvMaxTokens);
    }

    public EngineOptions withKvMaxTokens(int tokens) {
        return new EngineOptions(threads, scalarKernels, kvBlockSize, tokens);
    }
}
