package dev.concord.model.engine;

import dev.concord.model.kv.SequenceKv;
import dev.concord.model.lora.AdapterMix;

/**
 * One sequence being processed by an {@link InferenceEngine}: its cached keys and values (blocks of the shared
 * pool) and the adapters it runs with. Close it when the sequence ends to give its blocks back.
 */
public final class Sequence implements AutoCloseable {
    private final long id;
    private final AdapterMix adapters;
    private final SequenceKv kv;

    Sequence(long id, AdapterMix adapters, SequenceKv kv) {
        this.id = id;
        this.adapters = adapters;
        this.kv = kv;
    }

    public long id() {
        return id;
    }

    public AdapterMix adapters() {
        return adapters;
    }

    /** Tokens processed so far (the position the next token gets). */
    public int length() {
        return kv.length();
    }

    SequenceKv kv() {
        return kv;
    }

    public boolean closed() {
        return kv.released();
    }

    /** Frees the sequence's KV blocks. Idempotent. */
    @Override
    public void close() {
        kv.release();
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ", " + length() + " tokens, adapters " + adapters + "]";
    }
}
