package dev.concord.model.weights;

import java.util.EnumMap;
import java.util.Map;

/** The weights of one decoder layer: two RMSNorm gains and the seven projections. */
public final class LayerWeights {
    private final float[] inputNorm;
    private final float[] postAttentionNorm;
    private final Linear[] linears;

    public LayerWeights(float[] inputNorm, float[] postAttentionNorm, Map<Projection, Linear> linears) {
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
        this.linears = new Linear[Projection.values().length];
        for (Projection p : Projection.values()) {
            Linear l = linears.get(p);
            if (l == null) {
                throw new IllegalArgumentException("layer weights lack " + p);
            }
            this.linears[p.ordinal()] = l;
        }
    }

    /** RMSNorm gain applied before attention ({@code input_layernorm}). */
    public float[] inputNorm() {
        return inputNorm;
    }

    /** RMSNorm gain applied before the MLP ({@code post_attention_layernorm}). */
    public float[] postAttentionNorm() {
        return postAttentionNorm;
    }

    public Linear linear(Projection p) {
        return linears[p.ordinal()];
    }

    /** A copy with some projections replaced. */
    public LayerWeights replacing(Map<Projection, Linear> replacements) {
        Map<Projection, Linear> all = new EnumMap<>(Projection.class);
        for (Projection p : Projection.values()) {
            all.put(p, replacements.getOrDefault(p, linears[p.ordinal()]));
        }
        return new LayerWeights(inputNorm, postAttentionNorm, all);
    }
}
