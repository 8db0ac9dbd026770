package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.Projection;

/**
 * Everything one step keeps between its forward and backward passes, and the gradients of every projection's
 * output that the weight gradients then need, as token-major arrays ({@code [tokens, width]}) over the batch's
 * tokens. Allocated once for a capacity of {@code rows × rowTokens} tokens and reused every step; per-row scratch
 * lets rows run on any thread without sharing.
 */
final class Activations {
    final int capacity;
    /** Residual stream entering layer l ({@code x[layers]} is the last layer's output). */
    final float[][] x;
    final float[][] inv1;
    final float[][] h1;
    final float[][] q;
    final float[][] k;
    final float[][] v;
    final float[][] attention;
    /** Residual stream after attention. */
    final float[][] mid;
    final float[][] inv2;
    final float[][] h2;
    final float[][] gate;
    final float[][] up;
    final float[][] act;
    /** Attention probabilities, per layer: row b's examples from {@code b · rowProbabilityFloats}. */
    final float[][] probs;
    final int rowProbabilityFloats;
    final float[] invFinal;
    final float[] hFinal;
    /** Logits, replaced by their loss gradient during training. */
    final float[] logits;

    // gradients of each projection's output (what the weight gradients multiply)
    final float[][] dq;
    final float[][] dk;
    final float[][] dv;
    /** Gradient of the residual after attention: of o_proj's output. */
    final float[][] dMid;
    final float[][] dGate;
    final float[][] dUp;
    /** Gradient of layer l's output residual: of down_proj's output. */
    final float[][] dOut;
    /** Gradient of the embedded tokens. */
    final float[] dEmbedded;
    /** Per-row partial gradients of the norm weights ({@code [rows, hidden]}), summed in row order afterwards. */
    final float[][] dInputNorm;
    final float[][] dPostNorm;
    final float[] dFinalNorm;

    // backward scratch, token-major (each row uses its own tokens' part), reused by every layer
    final float[] dHidden;
    final float[] dWide;
    final float[] dAttention;
    // per-row scratch of the attention
    final float[][] rowTransposed;
    final float[][] rowScores;

    Activations(LabModelShape shape, int rows, int rowTokens) {
        int layers = shape.layers();
        int d = shape.hidden();
        int qDim = shape.heads() * shape.headDim();
        int kvDim = shape.kvHeads() * shape.headDim();
        int f = shape.intermediate();
        int n = rows * rowTokens;
        this.capacity = n;
        this.x = new float[layers + 1][n * d];
        this.inv1 = new float[layers][n];
        this.h1 = new float[layers][n * d];
        this.q = new float[layers][n * qDim];
        this.k = new float[layers][n * kvDim];
        this.v = new float[layers][n * kvDim];
        this.attention = new float[layers][n * qDim];
        this.mid = new float[layers][n * d];
        this.inv2 = new float[layers][n];
        this.h2 = new float[layers][n * d];
        this.gate = new float[layers][n * f];
        this.up = new float[layers][n * f];
        this.act = new float[layers][n * f];
        this.rowProbabilityFloats = shape.heads() * rowTokens * rowTokens;
        this.probs = new float[layers][rows * rowProbabilityFloats];
        this.invFinal = new float[n];
        this.hFinal = new float[n * d];
        this.logits = new float[n * LabVocabulary.SIZE];
        this.dq = new float[layers][n * qDim];
        this.dk = new float[layers][n * kvDim];
        this.dv = new float[layers][n * kvDim];
        this.dMid = new float[layers][n * d];
        this.dGate = new float[layers][n * f];
        this.dUp = new float[layers][n * f];
        this.dOut = new float[layers][n * d];
        this.dEmbedded = new float[n * d];
        this.dInputNorm = new float[layers][rows * d];
        this.dPostNorm = new float[layers][rows * d];
        this.dFinalNorm = new float[rows * d];
        this.dHidden = new float[n * d];
        this.dWide = new float[n * f];
        this.dAttention = new float[n * qDim];
        this.rowTransposed = new float[rows][shape.headDim() * rowTokens];
        this.rowScores = new float[rows][rowTokens * rowTokens];
    }

    /** What projection {@code p} of layer {@code l} multiplies: its input activations, token-major. */
    float[] input(int l, Projection p) {
        return switch (p) {
            case Q, K, V -> h1[l];
            case O -> attention[l];
            case GATE, UP -> h2[l];
            case DOWN -> act[l];
        };
    }

    /** The gradient of projection {@code p}'s output in layer {@code l}, token-major. */
    float[] outputGradient(int l, Projection p) {
        return switch (p) {
            case Q -> dq[l];
            case K -> dk[l];
            case V -> dv[l];
            case O -> dMid[l];
            case GATE -> dGate[l];
            case UP -> dUp[l];
            case DOWN -> dOut[l];
        };
    }

    /** Bytes held, for messages about memory. */
    static long bytesFor(LabModelShape shape, int rows, int rowTokens) {
        long n = (long) rows * rowTokens;
        long d = shape.hidden();
        long f = shape.intermediate();
        long perLayer = n * (d * 12 + f * 5 + 2) + (long) rows * shape.heads() * rowTokens * rowTokens;
        return 4 * (shape.layers() * perLayer + n * (d * 3 + LabVocabulary.SIZE));
    }
}
