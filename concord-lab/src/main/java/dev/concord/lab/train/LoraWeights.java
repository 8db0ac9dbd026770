package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.model.weights.Projection;

import java.util.ArrayList;
import java.util.List;

/**
 * The factors of a LoRA adapter over the lab model, in PEFT's orientation: for every layer and target projection
 * {@code A [rank, in]} and {@code B [out, rank]}, the update being {@code scaling·B·A}. The same class holds their
 * gradients (see {@link #zeros}).
 */
public final class LoraWeights {
    private final LabModelShape shape;
    private final LoraSettings settings;
    /** [layer][projection ordinal] → A {@code [rank, in]}, or null when the projection is not a target. */
    final float[][][] a;
    /** [layer][projection ordinal] → B {@code [out, rank]}, or null. */
    final float[][][] b;

    private LoraWeights(LabModelShape shape, LoraSettings settings) {
        this.shape = shape;
        this.settings = settings;
        int r = settings.rank();
        this.a = new float[shape.layers()][Projection.values().length][];
        this.b = new float[shape.layers()][Projection.values().length][];
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : settings.orderedTargets()) {
                a[l][p.ordinal()] = new float[r * LabWeights.inFeatures(shape, p)];
                b[l][p.ordinal()] = new float[LabWeights.outFeatures(shape, p) * r];
            }
        }
    }

    /** All factors zero: the shape of a gradient. */
    public static LoraWeights zeros(LabModelShape shape, LoraSettings settings) {
        return new LoraWeights(shape, settings);
    }

    /**
     * PEFT's default start: A uniform in ±1/sqrt(in) (Kaiming-uniform with a = sqrt(5)), B zero, so the adapter
     * begins as the identity update. A is drawn layer by layer, projection by projection.
     */
    public static LoraWeights initialized(LabModelShape shape, LoraSettings settings, long seed) {
        return initialized(shape, settings, SeededRandom.of(seed, "lora", "init"));
    }

    /**
     * As {@link #initialized(LabModelShape, LoraSettings, long)} from the stream {@code (seed, "lora", name,
     * "init")}: adapters of different names (the lab's skills) start from independent A factors.
     */
    public static LoraWeights initialized(LabModelShape shape, LoraSettings settings, long seed, String name) {
        return initialized(shape, settings, SeededRandom.of(seed, "lora", name, "init"));
    }

    private static LoraWeights initialized(LabModelShape shape, LoraSettings settings, SeededRandom random) {
        LoraWeights w = new LoraWeights(shape, settings);
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : settings.orderedTargets()) {
                InitialValues.uniform(w.a[l][p.ordinal()], 1 / Math.sqrt(LabWeights.inFeatures(shape, p)), random);
            }
        }
        return w;
    }

    public LabModelShape shape() {
        return shape;
    }

    public LoraSettings settings() {
        return settings;
    }

    /** A of {@code p} in {@code layer} (live), or null when {@code p} is not a target. */
    public float[] a(int layer, Projection p) {
        return a[layer][p.ordinal()];
    }

    /** B of {@code p} in {@code layer} (live), or null when {@code p} is not a target. */
    public float[] b(int layer, Projection p) {
        return b[layer][p.ordinal()];
    }

    /**
     * Every factor under its module name with PEFT's suffix ({@code model.layers.0.self_attn.q_proj.lora_A}), layer
     * by layer, target by target, A before B. The arrays are the live ones.
     */
    public List<NamedTensor> tensors() {
        int r = settings.rank();
        List<NamedTensor> out = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : settings.orderedTargets()) {
                String m = p.moduleName(l);
                out.add(new NamedTensor(m + ".lora_A", new long[] {r, LabWeights.inFeatures(shape, p)},
                        a[l][p.ordinal()]));
                out.add(new NamedTensor(m + ".lora_B", new long[] {LabWeights.outFeatures(shape, p), r},
                        b[l][p.ordinal()]));
            }
        }
        return out;
    }
}
