package dev.concord.adapter;

import dev.concord.tensor.DType;
import java.util.List;

/**
 * The shape and randomness of a {@link SyntheticAdapters synthetic adapter} for a Llama-style model.
 *
 * @param hidden hidden size (embedding width)
 * @param intermediate MLP width
 * @param layers number of decoder layers
 * @param heads attention heads; hidden must be a multiple
 * @param kvHeads key/value heads (grouped-query attention); heads must be a multiple
 * @param vocab vocabulary size, used only when embed_tokens or lm_head is a target
 * @param rank LoRA rank r
 * @param alpha lora_alpha
 * @param useRslora scaling alpha/sqrt(r) instead of alpha/r
 * @param targets module short names: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, embed_tokens,
 *     lm_head
 * @param dtype F32, F16 or BF16
 * @param bStd standard deviation of B's entries (A is uniform in ±1/sqrt(in), as PEFT initialises it)
 * @param seed all values derive from it, per module, independent of order and threads
 */
public record SyntheticAdapterSpec(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab,
        int rank, double alpha, boolean useRslora, List<String> targets, DType dtype, double bStd, long seed) {

    public static final List<String> ATTENTION = List.of("q_proj", "k_proj", "v_proj", "o_proj");
    public static final List<String> ALL_PROJECTIONS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public SyntheticAdapterSpec {
        targets = List.copyOf(targets);
        if (hidden <= 0 || intermediate <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || rank <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must be a multiple of heads " + heads
                    + ", and heads a multiple of kv heads " + kvHeads);
        }
        if (!Double.isFinite(alpha) || !Double.isFinite(bStd) || bStd < 0) {
            throw new IllegalArgumentException("alpha and bStd must be finite, bStd ≥ 0");
        }
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16, not " + dtype);
        }
        for (String t : targets) {
            if (!ALL_PROJECTIONS.contains(t) && !t.equals("embed_tokens") && !t.equals("lm_head")) {
                throw new IllegalArgumentException("unknown target '" + t + "' (known: " + ALL_PROJECTIONS
                        + ", embed_tokens, lm_head)");
            }
        }
        if ((targets.contains("embed_tokens") || targets.contains("lm_head")) && vocab <= 0) {
            throw new IllegalArgumentException("embed_tokens and lm_head targets need a positive vocab size");
        }
    }

    /** A tiny Llama (hidden 64, intermediate 160, 2 layers, 4 heads, 2 kv heads, vocab 256), r 8, alpha 16, all projections, F32. */
    public static SyntheticAdapterSpec tinyLlama(long seed) {
        return new SyntheticAdapterSpec(64, 160, 2, 4, 2, 256, 8, 16, false, ALL_PROJECTIONS, DType.F32, 0.02, seed);
    }

    public SyntheticAdapterSpec withRank(int r, double a) {
        return new SyntheticAdapterSpec(hidden, intermediate, layers, heads, kvHeads, vocab, r, a, useRslora, targets,
                dtype, bStd, seed);
    }

    public SyntheticAdapterSpec withTargets(List<String> t) {
        return new SyntheticAdapterSpec(hidden, intermediate, layers, heads, kvHeads, vocab, rank, alpha, useRslora, t,
                dtype, bStd, seed);
    }

    public SyntheticAdapterSpec withDtype(DType d) {
        return new SyntheticAdapterSpec(hidden, intermediate, layers, heads, kvHeads, vocab, rank, alpha, useRslora,
                targets, d, bStd, seed);
    }

    public SyntheticAdapterSpec withSeed(long s) {
        return new SyntheticAdapterSpec(hidden, intermediate, layers, heads, kvHeads, vocab, rank, alpha, useRslora,
                targets, dtype, bStd, s);
    }

    public SyntheticAdapterSpec withRslora(boolean r) {
        return new SyntheticAdapterSpec(hidden, intermediate, layers, heads, kvHeads, vocab, rank, alpha, r, targets,
                dtype, bStd, seed);
    }

    public int headDim() {
        return hidden / heads;
    }
}
