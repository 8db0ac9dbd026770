package dev.concord.tensor.kernel;

import java.lang.foreign.MemorySegment;

/**
 * One vector matmul call cut into chunks for a {@link ComputePool}: a chunk is a range of output rows (a multiple
 * of 4) times a block of at most {@link #TOKEN_BLOCK} tokens. Inside a GEMM chunk the loops run row quad by row
 * quad, and for each quad over the chunk's tokens four at a time, so the quad's weights are read from memory once
 * and then stay in L1/L2 while the token block's activations stay in L2. When the inputs fill whole vector chunks
 * (every projection of the engine's models) one 4 x 4 register tile covers the quad and four tokens; otherwise two
 * 2 x 4 tiles, which carry the masked last chunk. GEMV chunks walk four long row streams.
 *
 * <p>How the work is cut changes which thread computes an element and which tile carries it, never the operations
 * that produce it (see {@link VectorKernels}), so the result is the same for every plan.
 */
final class VectorMatmul implements ComputePool.ChunkTask {
    /** Tokens per chunk: 64 rows of activations (256 KB at in = 1024) stay in a core's L2 across a row chunk. */
    static final int TOKEN_BLOCK = 64;

    /**
     * From this many tokens in a chunk on, GEMM over BF16 weights widens each row quad once into a float scratch and
     * runs the wide F32 tile over it, instead of widening every chunk in registers for every token quad: widening
     * uses the port that also issues FMAs, and 4 x 4 and 2 x 8 tiles widening in registers measured no faster than
     * the 2 x 4 one (60-70 GFLOP/s per core at 32 tokens), while the widened rows feed the F32 tile at 70-82. With
     * few tokens the copy (4 in values per quad) would cost more than it saves. Either way every element is the
     * same chain over the same exactly widened values, so results are identical.
     */
    static final int WIDEN_BF16_MIN_TOKENS = 16;

    /** Per-thread buffer for widened F16 rows; grows to the largest 4 * in seen and is then reused. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread buffer for the 16 accumulator vectors of a wide GEMM tile. */
    private static final ThreadLocal<float[]> WIDE_TILE_SUMS = ThreadLocal.withInitial(() -> new float[16 * Lanes.L]);
    /** Per-thread 64-byte-aligned native buffer for BF16 row quads widened to F32. */
    private static final ThreadLocal<MemorySegment> ALIGNED_SCRATCH = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private final MatmulCall call;
    private final int rowsPerChunk;
    private final int rowChunks;
    private final int tokensPerChunk;

    private VectorMatmul(MatmulCall call, int rowsPerChunk, int rowChunks, int tokensPerChunk) {
        this.call = call;
        this.rowsPerChunk = rowsPerChunk;
        this.rowChunks = rowChunks;
        this.tokensPerChunk = tokensPerChunk;
    }

    /** Plans {@code call} for {@code threads} threads, about {@code chunksPerThread} chunks each. */
    static VectorMatmul plan(MatmulCall call, int threads, int chunksPerThread) {
        int n = call.n;
        int out = call.out;
        int tokensPerChunk = Math.max(TOKEN_BLOCK, roundUp4(ceilDiv(n, 1 << 14)));
        int tokenBlocks = ceilDiv(n, tokensPerChunk);
        int rowQuads = ceilDiv(out, 4);
        int wantedRowChunks = threads == 1 ? 1 : ceilDiv(threads * chunksPerThread, tokenBlocks);
        int rowChunks = Math.clamp(wantedRowChunks, 1, rowQuads);
        int rowsPerChunk = 4 * ceilDiv(rowQuads, rowChunks);
        return new VectorMatmul(call, rowsPerChunk, ceilDiv(out, rowsPerChunk), tokensPerChunk);
    }

    int chunkCount() {
        return rowChunks * ceilDiv(call.n, tokensPerChunk);
    }

    @Override
    public void run(int chunk) {
        int rowFrom = (chunk % rowChunks) * rowsPerChunk;
        int rowTo = Math.min(call.out, rowFrom + rowsPerChunk);
        int tokenFrom = (chunk / rowChunks) * tokensPerChunk;
        int tokenTo = Math.min(call.n, tokenFrom + tokensPerChunk);
        WeightMatrix w = call.w;
        switch (w.format()) {
            case F32 -> {
                if (w.heapFloats() != null) {
                    heapF32(w.heapFloats(), w.heapOffset(), rowFrom, rowTo, tokenFrom, tokenTo);
                } else {
                    f32(rowFrom, rowTo, tokenFrom, tokenTo);
                }
            }
            case BF16 -> bf16(rowFrom, rowTo, tokenFrom, tokenTo);
            case F16 -> f16(rowFrom, rowTo, tokenFrom, tokenTo);
            case Q8_0 -> q8(rowFrom, rowTo, tokenFrom, tokenTo);
        }
    }

    // Two walks over a chunk. With 4 or more tokens (GEMM), a quad's rows are consecutive so that its weights stay
    // in cache while the token quads pass over them. With fewer tokens (GEMV), each 4-row tile takes rows a quarter
    // of the chunk apart, so that its four weight streams are long and sequential. Each walk names its format's tile
    // class directly so that the JIT sees one monomorphic, inlinable call per tile.

    private void f32(int rowFrom, int rowTo, int tokenFrom, int tokenTo) {
        MatmulCall c = call;
        int row = rowFrom;
        if (tokenTo - tokenFrom >= 4) {
            float[] sums = wideTileSums();
            boolean wholeChunks = sums != null;
            for (; row + 4 <= rowTo; row += 4) {
                int t = tokenFrom;
                if (wholeChunks) {
                    for (; t + 4 <= tokenTo; t += 4) {
                        F32Tiles.rows4Tokens4(c, row, t, sums);
                        c.storeTile4x4(row, t, sums);
                    }
                } else {
                    for (; t + 4 <= tokenTo; t += 4) {
                        F32Tiles.rows2Tokens4(c, row, t);
                        F32Tiles.rows2Tokens4(c, row + 2, t);
                    }
                }
                for (; t < tokenTo; t++) {
                    F32Tiles.rows4Token1(c, row, 1, t);
                }
            }
        } else {
            int step = (rowTo - rowFrom) / 4;
            for (int j = 0; j < step; j++) {
                for (int t = tokenFrom; t < tokenTo; t++) {
                    F32Tiles.rows4Token1(c, rowFrom + j, step, t);
                }
            }
            row = rowFrom + 4 * step;
        }
        for (; row < rowTo; row++) {
            for (int t = tokenFrom; t < tokenTo; t++) {
                F32Tiles.row1Token1(c, row, t);
            }
        }
    }

    private void bf16(int rowFrom, int rowTo, int tokenFrom, int tokenTo) {
        MatmulCall c = call;
        int row = rowFrom;
        if (tokenTo - tokenFrom >= WIDEN_BF16_MIN_TOKENS && c.in % Lanes.L == 0) {
            float[] sums = wideTileSums();
            MemorySegment rows = alignedScratch(16L * c.in);
            for (; row + 4 <= rowTo; row += 4) {
                widenBf16Rows(row, rows, 4 * c.in);
                int t = tokenFrom;
                for (; t + 4 <= tokenTo; t += 4) {
                    F32Tiles.rows4Tokens4(c, rows, 0, t, sums);
                    c.storeTile4x4(row, t, sums);
                }
                for (; t < tokenTo; t++) {
                    Bf16Tiles.rows4Token1(c, row, 1, t);
                }
            }
        } else if (tokenTo - tokenFrom >= 4) {
            for (; row + 4 <= rowTo; row += 4) {
                int t = tokenFrom;
                for (; t + 4 <= tokenTo; t += 4) {
                    Bf16Tiles.rows2Tokens4(c, row, t);
                    Bf16Tiles.rows2Tokens4(c, row + 2, t);
                }
                for (; t < tokenTo; t++) {
                    Bf16Tiles.rows4Token1(c, row, 1, t);
                }
            }
        } else {
            int step = (rowTo - rowFrom) / 4;
            for (int j = 0; j < step; j++) {
                for (int t = tokenFrom; t < tokenTo; t++) {
                    Bf16Tiles.rows4Token1(c, rowFrom + j, step, t);
                }
            }
            row = rowFrom + 4 * step;
        }
        for (; row < rowTo; row++) {
            for (int t = tokenFrom; t < tokenTo; t++) {
                Bf16Tiles.row1Token1(c, row, t);
            }
        }
    }

    private void q8(int rowFrom, int rowTo, int tokenFrom, int tokenTo) {
        MatmulCall c = call;
        int row = rowFrom;
        if (tokenTo - tokenFrom >= 4) {
            for (; row + 4 <= rowTo; row += 4) {
                int t = tokenFrom;
                for (; t + 4 <= tokenTo; t += 4) {
                    Q8Tiles.rows4Tokens4(c, row, t);
                }
                for (; t < tokenTo; t++) {
                    Q8Tiles.rows4Token1(c, row, 1, t);
                }
            }
        } else {
            int step = (rowTo - rowFrom) / 4;
            for (int j = 0; j < step; j++) {
                for (int t = tokenFrom; t < tokenTo; t++) {
                    Q8Tiles.rows4Token1(c, rowFrom + j, step, t);
                }
            }
            row = rowFrom + 4 * step;
        }
        for (; row < rowTo; row++) {
            for (int t = tokenFrom; t < tokenTo; t++) {
                Q8Tiles.row1Token1(c, row, t);
            }
        }
    }

    /** F32 weights on a heap array: the same walks over {@link ArrayTiles}. */
    private void heapF32(float[] w, int offset, int rowFrom, int rowTo, int tokenFrom, int tokenTo) {
        MatmulCall c = call;
        int in = c.in;
        int row = rowFrom;
        if (tokenTo - tokenFrom >= 4) {
            float[] sums = wideTileSums();
            for (; row + 4 <= rowTo; row += 4) {
                arrayGemmRows4(w, offset + row * in, row, tokenFrom, tokenTo, sums);
            }
        } else {
            int step = (rowTo - rowFrom) / 4;
            for (int j = 0; j < step; j++) {
                for (int t = tokenFrom; t < tokenTo; t++) {
                    ArrayTiles.rows4Token1(c, w, offset + (rowFrom + j) * in, step * in, rowFrom + j, step, t);
                }
            }
            row = rowFrom + 4 * step;
        }
        for (; row < rowTo; row++) {
            for (int t = tokenFrom; t < tokenTo; t++) {
                ArrayTiles.row1Token1(c, w, offset + row * in, row, t);
            }
        }
    }

    /**
     * Four consecutive rows whose weights start at {@code w[w0]}, for all tokens of a GEMM chunk; {@code sums} (16 L
     * floats, or null when {@code in % L != 0}) carries the wide tile's accumulators.
     */
    private void arrayGemmRows4(float[] w, int w0, int row, int tokenFrom, int tokenTo, float[] sums) {
        MatmulCall c = call;
        int t = tokenFrom;
        if (sums != null) {
            for (; t + 4 <= tokenTo; t += 4) {
                ArrayTiles.rows4Tokens4(c, w, w0, row, t, sums);
                c.storeTile4x4(row, t, sums);
            }
        }
        for (; t + 4 <= tokenTo; t += 4) {
            ArrayTiles.rows2Tokens4(c, w, w0, row, t);
            ArrayTiles.rows2Tokens4(c, w, w0 + 2 * c.in, row + 2, t);
        }
        for (; t < tokenTo; t++) {
            ArrayTiles.rows4Token1(c, w, w0, c.in, row, 1, t);
        }
    }

    /**
     * F16 rows are widened four at a time into a per-thread scratch array by a plain loop over
     * {@link Float#float16ToFloat}, which C2 compiles to the hardware conversion (vcvtph2ps), then computed by the
     * array tiles; the widened rows serve every token of the chunk. (Widening F16 inside the vector loop takes a
     * dozen integer lane operations per chunk; with four rows in flight that code grew past C2's inlining budget
     * and its vectors were boxed, 15x slower.) Widening is exact, so the scheme is that of the other dense formats.
     */
    private void f16(int rowFrom, int rowTo, int tokenFrom, int tokenTo) {
        MatmulCall c = call;
        int in = c.in;
        float[] scratch = scratch(4 * in);
        int row = rowFrom;
        if (tokenTo - tokenFrom >= 4) {
            float[] sums = wideTileSums();
            for (; row + 4 <= rowTo; row += 4) {
                widenF16Row(row, scratch, 0, 4 * in);
                arrayGemmRows4(scratch, 0, row, tokenFrom, tokenTo, sums);
            }
        } else {
            int step = (rowTo - rowFrom) / 4;
            for (int j = 0; j < step; j++) {
                for (int k = 0; k < 4; k++) {
                    widenF16Row(rowFrom + j + k * step, scratch, k * in, in);
                }
                for (int t = tokenFrom; t < tokenTo; t++) {
                    ArrayTiles.rows4Token1(c, scratch, 0, in, rowFrom + j, step, t);
                }
            }
            row = rowFrom + 4 * step;
        }
        for (; row < rowTo; row++) {
            widenF16Row(row, scratch, 0, in);
            for (int t = tokenFrom; t < tokenTo; t++) {
                ArrayTiles.row1Token1(c, scratch, 0, row, t);
            }
        }
    }

    /**
     * Widens {@code count} consecutive BF16 weights starting at the first of {@code row} into scratch[0..), with the
     * same exact widening as {@link Lanes#bf16}; {@code count} is a multiple of L (4 rows of whole chunks).
     */
    private void widenBf16Rows(int row, MemorySegment scratch, int count) {
        MemorySegment data = call.w.data();
        long base = row * call.w.rowBytes();
        for (int k = 0; k < count; k += Lanes.L) {
            Lanes.bf16(data, base + 2L * k).intoMemorySegment(scratch, 4L * k, Lanes.LE);
        }
    }

    /**
     * A per-thread scratch of at least {@code bytes}, page-aligned {@link MappedMemory}: a heap array's elements
     * generally do not start on a cache-line boundary, so that every 64-byte vector load would span two lines, which
     * measured about 20% slower once the rows no longer fit in L1 (in = 2048); and mapped like the weights, so the
     * tiles' loads meet one kind of segment.
     */
    private static MemorySegment alignedScratch(long bytes) {
        MemorySegment s = ALIGNED_SCRATCH.get();
        if (s.byteSize() < bytes) {
            s = MappedMemory.allocate(bytes, "kernel scratch");
            ALIGNED_SCRATCH.set(s);
        }
        return s;
    }

    /** Widens {@code count} consecutive F16 weights starting at the first of {@code row} into scratch[at..]. */
    private void widenF16Row(int row, float[] scratch, int at, int count) {
        MemorySegment data = call.w.data();
        long base = row * call.w.rowBytes();
        for (int k = 0; k < count; k++) {
            scratch[at + k] = Float.float16ToFloat(data.get(WeightMatrix.I16_LE, base + 2L * k));
        }
    }

    /**
     * The per-thread array that carries one wide GEMM tile's 16 accumulators, or null when the inputs do not fill
     * whole chunks and only the narrow tiles, which carry the masked last chunk, can be used.
     */
    private float[] wideTileSums() {
        return call.in % Lanes.L == 0 ? WIDE_TILE_SUMS.get() : null;
    }

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }

    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }

    private static int roundUp4(int a) {
        return (a + 3) & ~3;
    }
}
