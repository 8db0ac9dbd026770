package dev.concord.model.kv;

import dev.concord.error.ResourceException;

/**
 * The key/value cache memory shared by all sequences, cut into fixed-size blocks as in vLLM's PagedAttention and
 * S-LoRA's unified pool: a block holds the keys and values of {@code blockSize} consecutive positions of one
 * sequence for every layer. Sequences take blocks as they grow and give them back when they end, so memory follows
 * the tokens actually cached, not a maximum length per sequence, and no sequence needs contiguous memory.
 *
 * <p>Block storage is allocated on first use and recycled afterwards. Layout inside a block:
 * {@code [layer][slot][kvHead][headDim]}, keys and values in two arrays. Taking and returning blocks is
 * synchronized; reading and writing a block's contents is left to its one owner.
 */
public final class KvBlockPool {
    /** Positions per block unless the caller chooses otherwise (vLLM's default is 16). */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final int layers;
    private final int kvDim;
    private final int blockSize;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;
    private final int[] freeList;
    private int freeCount;
    private int allocated;

    /**
     * @param layers     decoder layers
     * @param kvDim      key (and value) width per position: kv_heads * head_dim
     * @param blockSize  positions per block
     * @param capacity   maximum number of blocks (the cache's memory bound)
     */
    public KvBlockPool(int layers, int kvDim, int blockSize, int capacity) {
        if (layers < 1 || kvDim < 1 || blockSize < 1 || capacity < 1) {
            throw new IllegalArgumentException("KV pool needs positive layers, width, block size and capacity, got "
                    + layers + ", " + kvDim + ", " + blockSize + ", " + capacity);
        }
        if ((long) layers * blockSize * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV block of " + blockSize + " positions x " + layers + " layers x "
                    + kvDim + " values does not fit one array; use smaller blocks");
        }
        this.layers = layers;
        this.kvDim = kvDim;
        this.blockSize = blockSize;
        this.capacity = capacity;
        this.keys = new float[capacity][];
        this.values = new float[capacity][];
        this.freeList = new int[capacity];
        // hand out low ids first so a small workload touches few arrays
        for (int i = 0; i < capacity; i++) {
            freeList[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    public int blockSize() {
        return blockSize;
    }

    public int layers() {
        return layers;
    }

    public int kvDim() {
        return kvDim;
    }

    public int capacity() {
        return capacity;
    }

    public int freeBlocks() {
        return freeCount;
    }

    public int usedBlocks() {
        return capacity - freeCount;
    }

    /** Bytes one block takes (keys and values). */
    public long bytesPerBlock() {
        return 2L * Float.BYTES * layers * blockSize * kvDim;
    }

    /** Takes a free block. */
    public synchronized int allocate() {
        if (freeCount == 0) {
            throw new ResourceException("KV cache is full: all " + capacity + " blocks of " + blockSize
                    + " positions are in use (" + capacity * bytesPerBlock() + " bytes)", null);
        }
        int id = freeList[--freeCount];
        if (keys[id] == null) {
            int size = layers * blockSize * kvDim;
            try {
                keys[id] = new float[size];
                values[id] = new float[size];
            } catch (OutOfMemoryError e) {
                keys[id] = null;
                freeList[freeCount++] = id;
                throw new ResourceException("out of memory allocating a KV cache block (" + bytesPerBlock()
                        + " bytes asked for; " + allocated + " blocks held)", e);
            }
            allocated++;
        }
        return id;
    }

    /** Returns a block to the pool; its contents are overwritten by the next owner before being read. */
    public synchronized void free(int id) {
        if (id < 0 || id >= capacity || keys[id] == null) {
            throw new IllegalArgumentException("block " + id + " was not allocated from this pool");
        }
        if (freeCount == capacity) {
            throw new IllegalStateException("block " + id + " freed twice");
        }
        freeList[freeCount++] = id;
    }

    /** Key storage of a block. */
    public float[] keys(int id) {
        return keys[id];
    }

    /** Value storage of a block. */
    public float[] values(int id) {
        return values[id];
    }

    /** Offset of (layer, slot) in a block's arrays. */
    public int offset(int layer, int slot) {
        return (layer * blockSize + slot) * kvDim;
    }
}
