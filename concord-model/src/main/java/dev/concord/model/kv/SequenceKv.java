package dev.concord.model.kv;

import java.util.Arrays;

/**
 * One sequence's view of the shared {@link KvBlockPool}: its block table (logical block i of the sequence lives in
 * pool block {@code table[i]}) and the number of positions written. Position p is slot {@code p % blockSize} of
 * logical block {@code p / blockSize}.
 */
public final class SequenceKv {
    private final KvBlockPool pool;
    private int[] table = new int[4];
    private int blocks;
    private int length;
    private boolean released;

    public SequenceKv(KvBlockPool pool) {
        this.pool = pool;
    }

    public KvBlockPool pool() {
        return pool;
    }

    /** Positions cached so far. */
    public int length() {
        return length;
    }

    /** Blocks held. */
    public int blockCount() {
        return blocks;
    }

    /**
     * Makes room for positions up to {@code newLength} (exclusive), taking blocks from the pool; on failure the
     * blocks taken by this call are given back.
     */
    public void reserve(int newLength) {
        if (released) {
            throw new IllegalStateException("sequence cache was released");
        }
        int needed = (newLength + pool.blockSize() - 1) / pool.blockSize();
        int before = blocks;
        try {
            while (blocks < needed) {
                if (blocks == table.length) {
                    table = Arrays.copyOf(table, table.length * 2);
                }
                table[blocks] = pool.allocate();
                blocks++;
            }
        } catch (RuntimeException e) {
            while (blocks > before) {
                pool.free(table[--blocks]);
            }
            throw e;
        }
    }

    /** Records that positions up to {@code newLength} (exclusive) now hold keys and values. */
    public void advance(int newLength) {
        if (newLength > blocks * pool.blockSize()) {
            throw new IllegalStateException("position " + (newLength - 1) + " was not reserved");
        }
        length = newLength;
    }

    /** The pool block holding position {@code position}. */
    public int block(int position) {
        return table[position / pool.blockSize()];
    }

    /** The slot of {@code position} inside its block. */
    public int slot(int position) {
        return position % pool.blockSize();
    }

    /** Gives every block back to the pool; the sequence cannot be used afterwards. Idempotent. */
    public void release() {
        if (released) {
            return;
        }
        while (blocks > 0) {
            pool.free(table[--blocks]);
        }
        released = true;
        length = 0;
    }

    public boolean released() {
        return released;
    }
}
