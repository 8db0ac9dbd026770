package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.Projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parameters of the lab's base model in float32, laid out as a Hugging Face Llama checkpoint stores them:
 * token embedding {@code [vocab, hidden]} (tied: also the output layer), per layer two RMSNorm weights and the
 * seven projections {@code [out, in]}, and the final norm. The same class holds gradients (see {@link #zeros}).
 */
public final class LabWeights {
    /** Standard deviation of the normal initialisation of every matrix (the recipe's, as in the torch prototype). */
    public static final double INIT_STD = 0.02;

    private final LabModelShape shape;
    final float[] embedding;
    final float[][] inputNorm;
    final float[][] postNorm;
    /** [layer][projection ordinal] → {@code [out, in]} row-major. */
    final float[][][] projections;
    final float[] finalNorm;

    private LabWeights(LabModelShape shape) {
        this.shape = shape;
        int d = shape.hidden();
        this.embedding = new float[LabVocabulary.SIZE * d];
        this.inputNorm = new float[shape.layers()][d];
        this.postNorm = new float[shape.layers()][d];
        this.projections = new float[shape.layers()][Projection.values().length][];
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : Projection.values()) {
                projections[l][p.ordinal()] = new float[outFeatures(shape, p) * inFeatures(shape, p)];
            }
        }
        this.finalNorm = new float[d];
    }

    /** All values zero: the shape of a gradient. */
    public static LabWeights zeros(LabModelShape shape) {
        return new LabWeights(shape);
    }

    /** A fresh model: every matrix drawn from N(0, 0.02²) in checkpoint order, every norm weight 1. */
    public static LabWeights initialized(LabModelShape shape, long seed) {
        LabWeights w = new LabWeights(shape);
        SeededRandom random = SeededRandom.of(seed, "base", "init");
        for (NamedTensor t : w.tensors()) {
            if (t.shape().length == 1) {
                Arrays.fill(t.values(), 1f);
            } else {
                InitialValues.normal(t.values(), INIT_STD, random);
            }
        }
        return w;
    }

    public LabModelShape shape() {
        return shape;
    }

    /** Output features of projection {@code p}: the rows of its weight. */
    public static int outFeatures(LabModelShape s, Projection p) {
        return switch (p) {
            case Q -> s.heads() * s.headDim();
            case K, V -> s.kvHeads() * s.headDim();
            case O, DOWN -> s.hidden();
            case GATE, UP -> s.intermediate();
        };
    }

    /** Input features of projection {@code p}: the columns of its weight. */
    public static int inFeatures(LabModelShape s, Projection p) {
        return switch (p) {
            case Q, K, V, GATE, UP -> s.hidden();
            case O -> s.heads() * s.headDim();
            case DOWN -> s.intermediate();
        };
    }

    /** The weight of projection {@code p} in layer {@code layer}, {@code [out, in]} row-major (live, not a copy). */
    public float[] projection(int layer, Projection p) {
        return projections[layer][p.ordinal()];
    }

    /**
     * Every tensor under its Hugging Face name, in checkpoint order (embedding; per layer input norm, the seven
     * projections, post-attention norm; final norm). The arrays are the live ones. The tied output layer has no
     * entry of its own.
     */
    public List<NamedTensor> tensors() {
        int d = shape.hidden();
        List<NamedTensor> out = new ArrayList<>();
        out.add(new NamedTensor("model.embed_tokens.weight", new long[] {LabVocabulary.SIZE, d}, embedding));
        for (int l = 0; l < shape.layers(); l++) {
            String prefix = "model.layers." + l + ".";
            out.add(new NamedTensor(prefix + "input_layernorm.weight", new long[] {d}, inputNorm[l]));
            for (Projection p : Projection.values()) {
                out.add(new NamedTensor(p.moduleName(l) + ".weight",
                        new long[] {outFeatures(shape, p), inFeatures(shape, p)}, projections[l][p.ordinal()]));
            }
            out.add(new NamedTensor(prefix + "post_attention_layernorm.weight", new long[] {d}, postNorm[l]));
        }
        out.add(new NamedTensor("model.norm.weight", new long[] {d}, finalNorm));
        return out;
    }

    /** An independent copy. */
    public LabWeights copy() {
        LabWeights c = new LabWeights(shape);
        List<NamedTensor> from = tensors();
        List<NamedTensor> to = c.tensors();
        for (int i = 0; i < from.size(); i++) {
            System.arraycopy(from.get(i).values(), 0, to.get(i).values(), 0, from.get(i).values().length);
        }
        return c;
    }
}
