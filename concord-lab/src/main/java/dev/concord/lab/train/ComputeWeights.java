package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.ComputePool;

/**
 * The matrices one training step computes with, in the two layouts its products want: {@code W [out, in]} for the
 * input gradients ({@code dX = dY·W}) and {@code Wᵀ [in, out]} for the forward pass ({@code Y = X·Wᵀ}), plus the
 * embedding and its transpose (the tied output layer). With a LoRA adapter, W is the merged
 * {@code W + scaling·B·A}: the forward and backward passes then cost what the base model's do, and only the factor
 * gradients are extra.
 *
 * <p>{@link #refresh} rebuilds everything from the parameters; it runs once per step, after the optimizer.
 */
final class ComputeWeights {
    private final LabModelShape shape;
    private final int projections = Projection.values().length;
    /** [layer][projection] → {@code [out, in]}: the base array itself in full training, a merged copy with LoRA. */
    final float[][][] w;
    /** [layer][projection] → {@code [in, out]}. */
    final float[][][] wt;
    /** {@code [hidden, vocab]}: the output layer's weight as the forward product reads it. */
    final float[] embeddingT;
    float[] embedding;
    float[][] inputNorm;
    float[][] postNorm;
    float[] finalNorm;
    private final float[] scaledB;

    ComputeWeights(LabModelShape shape, int maxRank) {
        this.shape = shape;
        this.w = new float[shape.layers()][projections][];
        this.wt = new float[shape.layers()][projections][];
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : Projection.values()) {
                wt[l][p.ordinal()] = new float[LabWeights.outFeatures(shape, p) * LabWeights.inFeatures(shape, p)];
            }
        }
        this.embeddingT = new float[shape.hidden() * LabVocabulary.SIZE];
        int widest = Math.max(shape.hidden(), shape.intermediate());
        this.scaledB = new float[(shape.layers() * projections) * widest * Math.max(1, maxRank)];
    }

    /** Rebuilds the matrices from {@code base} and, when not null, the merged update of {@code lora}. */
    void refresh(LabWeights base, LoraWeights lora, ComputePool pool) {
        embedding = base.embedding;
        inputNorm = base.inputNorm;
        postNorm = base.postNorm;
        finalNorm = base.finalNorm;
        int matrices = shape.layers() * projections;
        pool.run(matrices + 1, job -> {
            if (job == matrices) {
                transpose(base.embedding, LabVocabulary.SIZE, shape.hidden(), embeddingT);
                return;
            }
            int l = job / projections;
            Projection p = Projection.values()[job % projections];
            int out = LabWeights.outFeatures(shape, p);
            int in = LabWeights.inFeatures(shape, p);
            float[] merged = base.projections[l][p.ordinal()];
            if (lora != null && lora.a(l, p) != null) {
                merged = merge(merged, lora, l, p, out, in, job);
            }
            w[l][p.ordinal()] = merged;
            transpose(merged, out, in, wt[l][p.ordinal()]);
        });
    }

    /** {@code W + s·B·A}, in a copy that is reused from step to step. */
    private float[] merge(float[] base, LoraWeights lora, int l, Projection p, int out, int in, int job) {
        float[] target = w[l][p.ordinal()];
        if (target == null || target == base) {
            target = new float[base.length];
        }
        System.arraycopy(base, 0, target, 0, base.length);
        int r = lora.settings().rank();
        float s = (float) lora.settings().scaling();
        float[] b = lora.b(l, p);
        int at = job * Math.max(shape.hidden(), shape.intermediate()) * r;
        for (int i = 0; i < out * r; i++) {
            scaledB[at + i] = b[i] * s;
        }
        Gemm.multiply(out, r, in, scaledB, at, r, 1, lora.a(l, p), 0, in, target, 0, in, true);
        return target;
    }

    static void transpose(float[] src, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int from = r * cols;
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[from + c];
            }
        }
    }
}
