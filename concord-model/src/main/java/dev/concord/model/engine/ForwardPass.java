package dev.concord.model.engine;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.engine.Workspace.Buffer;
import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.EmbeddingLora;
import dev.concord.model.lora.LoraSegments;
import dev.concord.model.weights.LayerWeights;
import dev.concord.model.weights.Linear;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * One forward step over a batch of {@link SequenceInput}s. Inputs are laid out as consecutive rows (one per token),
 * sorted by adapter mix so that rows sharing an adapter are contiguous (SGMV segments); every matrix product then
 * runs once over all rows, while the per-row parts (norms, RoPE, attention over each row's own sequence) run row
 * by row.
 */
final class ForwardPass {
    /** Rows per chunk of the per-row steps (norms, RoPE, activations) when they run across the pool. */
    private static final int ROWS_PER_CHUNK = 8;
    private static final Projection[] QKV = {Projection.Q, Projection.K, Projection.V};
    private static final Projection[] O = {Projection.O};
    private static final Projection[] GATE_UP = {Projection.GATE, Projection.UP};
    private static final Projection[] DOWN = {Projection.DOWN};

    private final InferenceEngine engine;
    private final ModelWeights weights;
    private final ModelConfig config;
    private final Kernels kernels;
    private final List<SequenceInput> inputs;
    /** Input indices in row order (sorted by adapter mix, stable). */
    private final Integer[] order;
    private final int rows;
    private final int[] rowToken;
    private final int[] rowPosition;
    private final SequenceKv[] rowKv;
    private final int[] firstRow;
    private final LoraSegments segments;
    private final int maxRank;

    ForwardPass(InferenceEngine engine, List<SequenceInput> inputs) {
        this.engine = engine;
        this.weights = engine.weights();
        this.config = engine.config();
        this.kernels = engine.kernels();
        this.inputs = List.copyOf(inputs);
        validate();
        int n = this.inputs.size();
        order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(i -> this.inputs.get(i).sequence().adapters()));
        int total = 0;
        firstRow = new int[n];
        for (int j = 0; j < n; j++) {
            firstRow[j] = total;
            total += this.inputs.get(order[j]).count();
        }
        rows = total;
        rowToken = new int[rows];
        rowPosition = new int[rows];
        rowKv = new SequenceKv[rows];
        List<AdapterMix> mixes = new ArrayList<>(n);
        int[] counts = new int[n];
        int rank = 0;
        for (int j = 0; j < n; j++) {
            SequenceInput in = this.inputs.get(order[j]);
            Sequence s = in.sequence();
            for (int t = 0; t < in.count(); t++) {
                int row = firstRow[j] + t;
                rowToken[row] = in.token(t);
                rowPosition[row] = s.length() + t;
                rowKv[row] = s.kv();
            }
            mixes.add(s.adapters());
            counts[j] = in.count();
            for (AdapterMix.Entry e : s.adapters().entries()) {
                rank = Math.max(rank, e.adapter().maxRank());
            }
        }
        segments = LoraSegments.plan(mixes, counts);
        maxRank = rank;
    }

    private void validate() {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a forward step needs at least one sequence");
        }
        Set<Sequence> seen = new HashSet<>();
        int vocab = config.vocabSize();
        for (SequenceInput in : inputs) {
            Sequence s = in.sequence();
            if (!seen.add(s)) {
                throw new IllegalArgumentException(s + " appears twice in one step");
            }
            if (s.closed()) {
                throw new IllegalStateException(s + " was closed");
            }
            if (s.kv().pool() != engine.kvPool()) {
                throw new IllegalArgumentException(s + " belongs to another engine");
            }
            if (in.count() == 0) {
                throw new InvalidInputException("empty token list: a forward step needs at least one token per sequence");
            }
            for (int t = 0; t < in.count(); t++) {
                int id = in.token(t);
                if (id < 0 || id >= vocab) {
                    throw new InvalidInputException("token id " + id + " at index " + t
                            + " is outside the vocabulary (vocab_size " + vocab + ": ids 0 to " + (vocab - 1) + ")");
                }
            }
            long end = (long) s.length() + in.count();
            if (end > config.maxPositionEmbeddings()) {
                throw new InvalidInputException("sequence of " + end + " tokens is longer than the model's context ("
                        + "max_position_embeddings " + config.maxPositionEmbeddings() + ")");
            }
        }
    }

    List<float[]> run() {
        for (SequenceInput in : inputs) {
            in.sequence().kv().reserve(in.sequence().length() + in.count());
        }
        int maxPosition = 0;
        for (int p : rowPosition) {
            maxPosition = Math.max(maxPosition, p);
        }
        engine.rope().ensure(maxPosition + 1);

        Workspace ws = engine.workspace();
        int hidden = config.hiddenSize();
        float[] x = ws.get(Buffer.X, (long) rows * hidden);
        embed(x);
        for (int l = 0; l < config.numLayers(); l++) {
            layer(l, x, ws);
        }
        for (SequenceInput in : inputs) {
            Sequence s = in.sequence();
            s.kv().advance(s.length() + in.count());
        }
        return logits(x, ws);
    }

    private void embed(float[] x) {
        int hidden = config.hiddenSize();
        for (int j = 0; j < order.length; j++) {
            SequenceInput in = inputs.get(order[j]);
            for (int t = 0; t < in.count(); t++) {
                int row = firstRow[j] + t;
                int token = rowToken[row];
                weights.embedding().readRow(token, x, row * hidden);
                for (AdapterMix.Entry e : in.sequence().adapters().entries()) {
                    EmbeddingLora emb = e.adapter().embedding();
                    if (emb != null) {
                        emb.addTo(token, e.weight() * emb.scaling(), x, row * hidden);
                    }
                }
            }
        }
    }

    private void layer(int l, float[] x, Workspace ws) {
        LayerWeights lw = weights.layer(l);
        int hidden = config.hiddenSize();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int headDim = config.headDim();
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int inter = config.intermediateSize();
        float eps = (float) config.rmsNormEps();
        float[] normed = ws.get(Buffer.NORMED, (long) rows * hidden);
        float[] q = ws.get(Buffer.Q, (long) rows * qDim);
        float[] k = ws.get(Buffer.K, (long) rows * kvDim);
        float[] v = ws.get(Buffer.V, (long) rows * kvDim);
        float[] att = ws.get(Buffer.ATTENTION, (long) rows * qDim);
        float[] out = ws.get(Buffer.OUT, (long) rows * hidden);
        float[] scratch = ws.get(Buffer.LORA, Math.max(1, segments.scratchSize(maxRank, 3)));

        forRows(r -> RmsNorm.apply(x, r * hidden, lw.inputNorm(), eps, normed, r * hidden));
        projectShared(lw, QKV, normed, q, k, v);
        adapt(l, QKV, normed, scratch, q, k, v);
        RotaryEmbedding rope = engine.rope();
        KvBlockPool pool = engine.kvPool();
        forRows(r -> {
            rope.apply(q, r * qDim, heads, rowPosition[r]);
            rope.apply(k, r * kvDim, kvHeads, rowPosition[r]);
            SequenceKv kv = rowKv[r];
            int block = kv.block(rowPosition[r]);
            int offset = pool.offset(l, kv.slot(rowPosition[r]));
            System.arraycopy(k, r * kvDim, pool.keys(block), offset, kvDim);
            System.arraycopy(v, r * kvDim, pool.values(block), offset, kvDim);
        });
        int window = config.usesSlidingWindow(l) ? config.slidingWindow().getAsInt() : 0;
        new Attention(pool, l, heads, kvHeads, headDim, window, q, att, rowKv, rowPosition).run(engine.pool(), rows);
        project(lw, Projection.O, att, out);
        adapt(l, O, att, scratch, out);
        forRows(r -> {
            for (int i = r * hidden, end = i + hidden; i < end; i++) {
                x[i] += out[i];
            }
            RmsNorm.apply(x, r * hidden, lw.postAttentionNorm(), eps, normed, r * hidden);
        });
        float[] gate = ws.get(Buffer.GATE, (long) rows * inter);
        float[] up = ws.get(Buffer.UP, (long) rows * inter);
        projectShared(lw, GATE_UP, normed, gate, up);
        adapt(l, GATE_UP, normed, scratch, gate, up);
        forRows(r -> {
            for (int i = r * inter, end = i + inter; i < end; i++) {
                float g = gate[i];
                gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
            }
        });
        project(lw, Projection.DOWN, gate, out);
        adapt(l, DOWN, gate, scratch, out);
        forRows(r -> {
            for (int i = r * hidden, end = i + hidden; i < end; i++) {
                x[i] += out[i];
            }
        });
    }

    /**
     * Runs a per-row step for every row; across the pool when the step has enough rows to pay for it. Each row is
     * computed by one thread in the same way, so the split never changes a result.
     */
    private void forRows(IntConsumer perRow) {
        if (rows < ROWS_PER_CHUNK) {
            for (int r = 0; r < rows; r++) {
                perRow.accept(r);
            }
            return;
        }
        int chunks = (rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        engine.pool().run(chunks, c -> {
            int end = Math.min(rows, (c + 1) * ROWS_PER_CHUNK);
            for (int r = c * ROWS_PER_CHUNK; r < end; r++) {
                perRow.accept(r);
            }
        });
    }

    /** {@code y = W x (+ b)} over all rows. */
    private void project(LayerWeights lw, Projection p, float[] in, float[] y) {
        Linear lin = lw.linear(p);
        kernels.matmul(lin.weight(), in, 0, lin.inFeatures(), rows, y, 0, lin.outFeatures(), 1f, lin.bias(), false);
    }

    /** {@code y_j = W_j x (+ b_j)} for projections reading the same input, as one job on the pool. */
    private void projectShared(LayerWeights lw, Projection[] ps, float[] in, float[]... ys) {
        WeightMatrix[] ws = new WeightMatrix[ps.length];
        float[][] biases = new float[ps.length][];
        for (int j = 0; j < ps.length; j++) {
            Linear lin = lw.linear(ps[j]);
            ws[j] = lin.weight();
            biases[j] = lin.bias();
        }
        kernels.matmulShared(in, 0, lw.linear(ps[0]).inFeatures(), rows, ws, ys, biases);
    }

    /** Adds the adapter segments' updates of projections that share the input {@code in}. */
    private void adapt(int layer, Projection[] ps, float[] in, float[] scratch, float[]... ys) {
        if (!segments.isEmpty()) {
            segments.apply(engine.pool(), engine.serialKernels(), layer, ps, in, ys, scratch);
        }
    }

    /** Final norm and output layer for the rows whose logits were asked for, split back into input order. */
    private List<float[]> logits(float[] x, Workspace ws) {
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        int n = order.length;
        int[] logitFirst = new int[n];
        int[] logitCounts = new int[n];
        List<AdapterMix> mixes = new ArrayList<>(n);
        int total = 0;
        for (int j = 0; j < n; j++) {
            SequenceInput in = inputs.get(order[j]);
            logitFirst[j] = total;
            logitCounts[j] = in.logitRows();
            total += logitCounts[j];
            mixes.add(in.sequence().adapters());
        }
        float[] normed = ws.get(Buffer.NORMED, (long) total * hidden);
        for (int j = 0; j < n; j++) {
            SequenceInput in = inputs.get(order[j]);
            int fromRow = firstRow[j] + in.count() - logitCounts[j];
            for (int t = 0; t < logitCounts[j]; t++) {
                RmsNorm.apply(x, (fromRow + t) * hidden, weights.finalNorm(), (float) config.rmsNormEps(), normed,
                        (logitFirst[j] + t) * hidden);
            }
        }
        float[] logits = allocateLogits(total, vocab);
        Linear head = weights.lmHead();
        kernels.matmul(head.weight(), normed, 0, hidden, total, logits, 0, vocab, 1f, head.bias(), false);
        LoraSegments headSegments = LoraSegments.plan(mixes, logitCounts);
        if (!headSegments.isEmpty()) {
            float[] scratch = ws.get(Buffer.LORA, Math.max(1, headSegments.scratchSize(maxRank, 1)));
            headSegments.applyLmHead(engine.pool(), engine.serialKernels(), normed, logits, scratch);
        }
        if (n == 1) {
            return List.of(logits);
        }
        List<float[]> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            result.add(null);
        }
        for (int j = 0; j < n; j++) {
            int from = logitFirst[j] * vocab;
            result.set(order[j], Arrays.copyOfRange(logits, from, from + logitCounts[j] * vocab));
        }
        return result;
    }

    private static float[] allocateLogits(int rows, int vocab) {
        long size = (long) rows * vocab;
        if (size > Integer.MAX_VALUE - 8) {
            throw new ResourceException(rows + " rows of " + vocab + " logits do not fit one array; ask for fewer "
                    + "positions per step", null);
        }
        try {
            return new float[(int) size];
        } catch (OutOfMemoryError e) {
            throw new ResourceException("out of memory for " + rows + " x " + vocab + " logits (" + 4 * size
                    + " bytes asked for)", e);
        }
    }
}
