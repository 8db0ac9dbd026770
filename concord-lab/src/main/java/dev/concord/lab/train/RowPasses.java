package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.Projection;

import java.util.Arrays;

/**
 * The forward pass and the input-gradient backward pass of the lab's Llama for one row of a packed batch. A row
 * holds whole examples and nothing in a layer mixes rows, so rows are independent units of work: any thread may
 * run any row, and each row writes only its own tokens' activations, its own probabilities, its own scratch and its
 * own partial norm gradients. Weight gradients, which sum over all rows, are computed afterwards
 * ({@link WeightGradients}, {@link LoraGradients}).
 *
 * <p>Semantics are those of Hugging Face's LlamaForCausalLM in float32 (as the engine runs it): RMSNorm, rotate-half
 * RoPE, grouped-query causal attention, SiLU-gated MLP, residual adds, final norm and the tied output layer.
 */
final class RowPasses {
    private static final int Q = Projection.Q.ordinal();
    private static final int K = Projection.K.ordinal();
    private static final int V = Projection.V.ordinal();
    private static final int O = Projection.O.ordinal();
    private static final int GATE = Projection.GATE.ordinal();
    private static final int UP = Projection.UP.ordinal();
    private static final int DOWN = Projection.DOWN.ordinal();

    private final LabModelShape shape;
    private final int d;
    private final int qDim;
    private final int kvDim;
    private final int ffn;
    private final int vocab = LabVocabulary.SIZE;
    private final float eps;
    private final ComputeWeights weights;
    private final Activations a;
    private final RotaryTable rope;
    private final CausalAttention attention;

    RowPasses(LabModelShape shape, ComputeWeights weights, Activations activations, RotaryTable rope) {
        this.shape = shape;
        this.d = shape.hidden();
        this.qDim = shape.heads() * shape.headDim();
        this.kvDim = shape.kvHeads() * shape.headDim();
        this.ffn = shape.intermediate();
        this.eps = (float) LabModelShape.RMS_NORM_EPS;
        this.weights = weights;
        this.a = activations;
        this.rope = rope;
        this.attention = new CausalAttention(shape.heads(), shape.kvHeads(), shape.headDim());
    }

    /**
     * Runs row {@code b} forward to its logits. With {@code lossScale} > 0, also returns the row's summed loss
     * over its targets and replaces the logits by the gradient of {@code lossScale · Σ loss} (rows without a target
     * get a zero gradient); with 0 the logits are left as they are and 0 is returned.
     */
    double forward(PackedBatch batch, int b, float lossScale) {
        int s0 = batch.rowStart[b];
        int n = batch.rowLength(b);
        if (n == 0) {
            return 0;
        }
        float[] x0 = a.x[0];
        for (int t = s0; t < s0 + n; t++) {
            System.arraycopy(weights.embedding, batch.tokens[t] * d, x0, t * d, d);
        }
        for (int l = 0; l < shape.layers(); l++) {
            layerForward(batch, b, l, s0, n);
        }
        float[] x = a.x[shape.layers()];
        for (int t = s0; t < s0 + n; t++) {
            a.invFinal[t] = RmsNorm.forward(x, t * d, weights.finalNorm, eps, a.hFinal, t * d);
        }
        Gemm.multiply(n, d, vocab, a.hFinal, s0 * d, d, 1, weights.embeddingT, 0, vocab, a.logits, s0 * vocab, vocab,
                false);
        if (lossScale == 0) {
            return 0;
        }
        double loss = 0;
        for (int t = s0; t < s0 + n; t++) {
            int target = batch.targets[t];
            if (target == TrainingExample.NO_TARGET) {
                Arrays.fill(a.logits, t * vocab, (t + 1) * vocab, 0f);
            } else {
                loss += CrossEntropy.lossAndGradient(a.logits, t * vocab, vocab, target, lossScale);
            }
        }
        return loss;
    }

    private void layerForward(PackedBatch batch, int b, int l, int s0, int n) {
        float[][] w = weights.wt[l];
        float[] x = a.x[l];
        for (int t = s0; t < s0 + n; t++) {
            a.inv1[l][t] = RmsNorm.forward(x, t * d, weights.inputNorm[l], eps, a.h1[l], t * d);
        }
        float[] h1 = a.h1[l];
        Gemm.multiply(n, d, qDim, h1, s0 * d, d, 1, w[Q], 0, qDim, a.q[l], s0 * qDim, qDim, false);
        Gemm.multiply(n, d, kvDim, h1, s0 * d, d, 1, w[K], 0, kvDim, a.k[l], s0 * kvDim, kvDim, false);
        Gemm.multiply(n, d, kvDim, h1, s0 * d, d, 1, w[V], 0, kvDim, a.v[l], s0 * kvDim, kvDim, false);
        for (int t = s0; t < s0 + n; t++) {
            rope.apply(a.q[l], t * qDim, shape.heads(), batch.positions[t]);
            rope.apply(a.k[l], t * kvDim, shape.kvHeads(), batch.positions[t]);
        }
        int pOff = b * a.rowProbabilityFloats;
        for (int e = batch.rowExample[b]; e < batch.rowExample[b + 1]; e++) {
            int s = batch.exampleStart[e];
            int len = batch.exampleStart[e + 1] - s;
            attention.forward(a.q[l], a.k[l], a.v[l], s, len, a.probs[l], pOff, a.attention[l], a.rowTransposed[b]);
            pOff += attention.probabilityFloats(len);
        }
        float[] mid = a.mid[l];
        System.arraycopy(x, s0 * d, mid, s0 * d, n * d);
        Gemm.multiply(n, qDim, d, a.attention[l], s0 * qDim, qDim, 1, w[O], 0, d, mid, s0 * d, d, true);
        for (int t = s0; t < s0 + n; t++) {
            a.inv2[l][t] = RmsNorm.forward(mid, t * d, weights.postNorm[l], eps, a.h2[l], t * d);
        }
        float[] h2 = a.h2[l];
        Gemm.multiply(n, d, ffn, h2, s0 * d, d, 1, w[GATE], 0, ffn, a.gate[l], s0 * ffn, ffn, false);
        Gemm.multiply(n, d, ffn, h2, s0 * d, d, 1, w[UP], 0, ffn, a.up[l], s0 * ffn, ffn, false);
        SwiGlu.forward(a.gate[l], a.up[l], a.act[l], s0 * ffn, (s0 + n) * ffn);
        float[] next = a.x[l + 1];
        System.arraycopy(mid, s0 * d, next, s0 * d, n * d);
        Gemm.multiply(n, ffn, d, a.act[l], s0 * ffn, ffn, 1, w[DOWN], 0, d, next, s0 * d, d, true);
    }

    /**
     * Propagates row {@code b}'s logit gradient back to the embedded tokens, storing the gradient of every
     * projection's output on the way. With {@code normGradients}, row b's partial gradients of the norm weights
     * are written to its slots (overwritten, not added to) and the embedded tokens' gradient is kept.
     */
    void backward(PackedBatch batch, int b, boolean normGradients) {
        int s0 = batch.rowStart[b];
        int n = batch.rowLength(b);
        if (n == 0) {
            return;
        }
        float[] dh = a.dHidden;
        int layers = shape.layers();
        Gemm.multiply(n, vocab, d, a.logits, s0 * vocab, vocab, 1, weights.embedding, 0, d, dh, s0 * d, d, false);
        float[] dx = a.dOut[layers - 1];
        Arrays.fill(dx, s0 * d, (s0 + n) * d, 0f);
        float[] dwFinal = normGradients ? a.dFinalNorm : null;
        if (normGradients) {
            Arrays.fill(a.dFinalNorm, b * d, (b + 1) * d, 0f);
        }
        float[] x = a.x[layers];
        for (int t = s0; t < s0 + n; t++) {
            RmsNorm.backward(dh, t * d, x, t * d, a.invFinal[t], weights.finalNorm, dx, t * d, dwFinal, b * d);
        }
        for (int l = layers - 1; l >= 0; l--) {
            layerBackward(batch, b, l, s0, n, normGradients);
        }
    }

    private void layerBackward(PackedBatch batch, int b, int l, int s0, int n, boolean normGradients) {
        float[][] w = weights.w[l];
        float[] dOut = a.dOut[l];
        float[] dh = a.dHidden;
        // MLP: dAct = dOut·W_down, then through SwiGLU, then dh2 = dGate·W_gate + dUp·W_up
        float[] dAct = a.dWide;
        Gemm.multiply(n, d, ffn, dOut, s0 * d, d, 1, w[DOWN], 0, ffn, dAct, s0 * ffn, ffn, false);
        SwiGlu.backward(a.gate[l], a.up[l], dAct, a.dGate[l], a.dUp[l], s0 * ffn, (s0 + n) * ffn);
        Gemm.multiply(n, ffn, d, a.dGate[l], s0 * ffn, ffn, 1, w[GATE], 0, d, dh, s0 * d, d, false);
        Gemm.multiply(n, ffn, d, a.dUp[l], s0 * ffn, ffn, 1, w[UP], 0, d, dh, s0 * d, d, true);
        float[] dMid = a.dMid[l];
        System.arraycopy(dOut, s0 * d, dMid, s0 * d, n * d);
        float[] dwPost = normGradients ? a.dPostNorm[l] : null;
        if (normGradients) {
            Arrays.fill(dwPost, b * d, (b + 1) * d, 0f);
        }
        for (int t = s0; t < s0 + n; t++) {
            RmsNorm.backward(dh, t * d, a.mid[l], t * d, a.inv2[l][t], weights.postNorm[l], dMid, t * d,
                    dwPost, b * d);
        }
        // attention: dAttention = dMid·W_o, then per example, then back through RoPE
        float[] dAttention = a.dAttention;
        Gemm.multiply(n, d, qDim, dMid, s0 * d, d, 1, w[O], 0, qDim, dAttention, s0 * qDim, qDim, false);
        int pOff = b * a.rowProbabilityFloats;
        for (int e = batch.rowExample[b]; e < batch.rowExample[b + 1]; e++) {
            int s = batch.exampleStart[e];
            int len = batch.exampleStart[e + 1] - s;
            attention.backward(a.q[l], a.k[l], a.v[l], s, len, a.probs[l], pOff, dAttention, a.dq[l], a.dk[l],
                    a.dv[l], a.rowTransposed[b], a.rowScores[b]);
            pOff += attention.probabilityFloats(len);
        }
        for (int t = s0; t < s0 + n; t++) {
            rope.inverse(a.dq[l], t * qDim, shape.heads(), batch.positions[t]);
            rope.inverse(a.dk[l], t * kvDim, shape.kvHeads(), batch.positions[t]);
        }
        Gemm.multiply(n, qDim, d, a.dq[l], s0 * qDim, qDim, 1, w[Q], 0, d, dh, s0 * d, d, false);
        Gemm.multiply(n, kvDim, d, a.dk[l], s0 * kvDim, kvDim, 1, w[K], 0, d, dh, s0 * d, d, true);
        Gemm.multiply(n, kvDim, d, a.dv[l], s0 * kvDim, kvDim, 1, w[V], 0, d, dh, s0 * d, d, true);
        float[] dIn = l > 0 ? a.dOut[l - 1] : a.dEmbedded;
        System.arraycopy(dMid, s0 * d, dIn, s0 * d, n * d);
        float[] dwInput = normGradients ? a.dInputNorm[l] : null;
        if (normGradients) {
            Arrays.fill(dwInput, b * d, (b + 1) * d, 0f);
        }
        for (int t = s0; t < s0 + n; t++) {
            RmsNorm.backward(dh, t * d, a.x[l], t * d, a.inv1[l][t], weights.inputNorm[l], dIn, t * d,
                    dwInput, b * d);
        }
    }
}
