package dev.concord.model.lora;

import dev.concord.error.ResourceException;
import dev.concord.model.weights.LayerWeights;
import dev.concord.model.weights.Linear;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.model.weights.WeightMemory;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Merged LoRA for single-adapter deployments: folds {@code Σ_a w_a · s_a · B_a · A_a} into the base weights once,
 * so that decoding afterwards costs exactly what the base model costs. Only adapted matrices are rebuilt (in
 * {@link WeightMemory}, in the chosen format); the rest stays in the checkpoint's memory map. The fold is computed
 * in float32 from the widened base values: {@code W + w·s·(B·A)} with B·A as a kernel product over the rank.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /** Folds {@code mix} into {@code base}, keeping merged matrices in float32 (no rounding beyond the fold). */
    public static ModelWeights fold(ModelWeights base, AdapterMix mix) {
        return fold(base, mix, WeightFormat.F32, Kernels.preferred());
    }

    /**
     * Folds {@code mix} into {@code base}; merged matrices are stored in {@code format} (F32, BF16 or F16 round
     * the merged value to nearest even, Q8_0 re-quantizes). The result shares {@code base}'s maps; closing it
     * releases the merged copies (un-merging is dropping them).
     */
    public static ModelWeights fold(ModelWeights base, AdapterMix mix, WeightFormat format, Kernels kernels) {
        if (mix.isEmpty()) {
            return base;
        }
        Arena arena = Arena.ofShared();
        try {
            return fold(base, mix, format, kernels, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static ModelWeights fold(ModelWeights base, AdapterMix mix, WeightFormat format, Kernels kernels,
            Arena arena) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < base.layerCount(); l++) {
            LayerWeights lw = base.layer(l);
            Map<Projection, Linear> merged = new EnumMap<>(Projection.class);
            for (Projection p : Projection.values()) {
                List<LoraFactors> fs = new ArrayList<>();
                List<Float> ws = new ArrayList<>();
                for (AdapterMix.Entry e : mix.entries()) {
                    LoraFactors f = e.adapter().factors(l, p);
                    if (f != null) {
                        fs.add(f);
                        ws.add(e.weight());
                    }
                }
                if (!fs.isEmpty()) {
                    Linear lin = lw.linear(p);
                    merged.put(p, lin.withWeight(foldMatrix(p.moduleName(l), lin.weight(), fs, ws, format, kernels, arena)));
                }
            }
            layers.add(merged.isEmpty() ? lw : lw.replacing(merged));
        }
        List<LoraFactors> headFactors = new ArrayList<>();
        List<Float> headWeights = new ArrayList<>();
        WeightMatrix embedding = base.embedding();
        float[] embeddingCopy = null;
        for (AdapterMix.Entry e : mix.entries()) {
            if (e.adapter().lmHead() != null) {
                headFactors.add(e.adapter().lmHead());
                headWeights.add(e.weight());
            }
            EmbeddingLora emb = e.adapter().embedding();
            if (emb != null) {
                if (embeddingCopy == null) {
                    embeddingCopy = widen("model.embed_tokens", embedding);
                }
                float alpha = e.weight() * emb.scaling();
                for (int t = 0; t < embedding.rows(); t++) {
                    emb.addTo(t, alpha, embeddingCopy, t * embedding.cols());
                }
            }
        }
        if (embeddingCopy != null) {
            // the embedding is gathered row by row, never streamed: keep it exact in float32
            embedding = WeightMemory.matrix(embeddingCopy, embedding.rows(), embedding.cols(), WeightFormat.F32, arena);
        }
        Linear head = base.lmHead();
        if (!headFactors.isEmpty()) {
            head = head.withWeight(foldMatrix("lm_head", head.weight(), headFactors, headWeights, format, kernels, arena));
        }
        return base.derive(embedding, layers, head, arena::close);
    }

    private static WeightMatrix foldMatrix(String name, WeightMatrix w, List<LoraFactors> factors, List<Float> weights,
            WeightFormat format, Kernels kernels, Arena arena) {
        int rows = w.rows();
        int cols = w.cols();
        float[] merged = widen(name, w);
        for (int i = 0; i < factors.size(); i++) {
            LoraFactors f = factors.get(i);
            int r = f.rank();
            // B·A as a product the kernels run: row o of the delta is B[o, :] · (Aᵀ)ᵀ, with Aᵀ [in, r] as weights
            float[] aT = new float[cols * r];
            float[] aRow = new float[cols];
            for (int k = 0; k < r; k++) {
                f.a().readRow(k, aRow, 0);
                for (int c = 0; c < cols; c++) {
                    aT[c * r + k] = aRow[c];
                }
            }
            float[] b = new float[rows * r];
            for (int o = 0; o < rows; o++) {
                f.b().readRow(o, b, o * r);
            }
            float alpha = weights.get(i) * f.scaling();
            try (Arena temp = Arena.ofShared()) {
                kernels.matmul(WeightMemory.matrix(aT, cols, r, WeightFormat.F32, temp), b, 0, r, rows, merged, 0, cols,
                        alpha, null, true);
            }
        }
        return WeightMemory.matrix(merged, rows, cols, format, arena);
    }

    private static float[] widen(String name, WeightMatrix w) {
        long n = (long) w.rows() * w.cols();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ResourceException(name + ": " + n + " values are too many for one merged float32 copy", null);
        }
        float[] out;
        try {
            out = new float[(int) n];
        } catch (OutOfMemoryError e) {
            throw new ResourceException("out of memory merging LoRA into " + name + " (" + 4 * n
                    + " bytes asked for)", e);
        }
        for (int r = 0; r < w.rows(); r++) {
            w.readRow(r, out, r * w.cols());
        }
        return out;
    }
}
