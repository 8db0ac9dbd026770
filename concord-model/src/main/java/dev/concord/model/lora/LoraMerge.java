package dev.concord.model.lora;

import dev.concord.error.ResourceException;
import dev.concord.model.weights.LayerWeights;
import dev.concord.model.weights.Linear;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Merged LoRA for single-adapter deployments: folds {@code Σ_a w_a · s_a · B_a · A_a} into the base weights once,
 * so that decoding afterwards costs exactly what the base model costs. Only adapted matrices are rebuilt (as heap
 * copies in the chosen format); the rest stays in the checkpoint's memory map. The fold is computed in float32
 * from the widened base values, each delta element summed over the rank in double and rounded once.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /** Folds {@code mix} into {@code base}, keeping merged matrices in float32 (no rounding beyond the fold). */
    public static ModelWeights fold(ModelWeights base, AdapterMix mix) {
        return fold(base, mix, WeightFormat.F32);
    }

    /**
     * Folds {@code mix} into {@code base}; merged matrices are stored in {@code format} (F32, BF16 or F16 round
     * the merged value to nearest even, Q8_0 re-quantizes). The result shares {@code base}'s maps.
     */
    public static ModelWeights fold(ModelWeights base, AdapterMix mix, WeightFormat format) {
        if (mix.isEmpty()) {
            return base;
        }
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
                    merged.put(p, lin.withWeight(foldMatrix(p.moduleName(l), lin.weight(), fs, ws, format)));
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
            embedding = WeightMatrix.ofFloats(embeddingCopy, embedding.rows(), embedding.cols());
        }
        Linear head = base.lmHead();
        if (!headFactors.isEmpty()) {
            head = head.withWeight(foldMatrix("lm_head", head.weight(), headFactors, headWeights, format));
        }
        return base.derive(embedding, layers, head);
    }

    private static WeightMatrix foldMatrix(String name, WeightMatrix w, List<LoraFactors> factors, List<Float> weights,
            WeightFormat format) {
        int rows = w.rows();
        int cols = w.cols();
        float[] merged = widen(name, w);
        double[] delta = new double[cols];
        // A is small (r x in): widen it once instead of once per output row
        float[][] as = new float[factors.size()][];
        for (int i = 0; i < factors.size(); i++) {
            WeightMatrix a = factors.get(i).a();
            as[i] = new float[a.rows() * cols];
            for (int k = 0; k < a.rows(); k++) {
                a.readRow(k, as[i], k * cols);
            }
        }
        for (int o = 0; o < rows; o++) {
            Arrays.fill(delta, 0);
            for (int i = 0; i < factors.size(); i++) {
                LoraFactors f = factors.get(i);
                double alpha = (double) weights.get(i) * f.scaling();
                float[] a = as[i];
                for (int k = 0; k < f.rank(); k++) {
                    double bk = alpha * f.b().get(o, k);
                    int aRow = k * cols;
                    for (int c = 0; c < cols; c++) {
                        delta[c] += bk * a[aRow + c];
                    }
                }
            }
            int base = o * cols;
            for (int c = 0; c < cols; c++) {
                merged[base + c] = (float) (merged[base + c] + delta[c]);
            }
        }
        WeightMatrix f32 = WeightMatrix.ofFloats(merged, rows, cols);
        return switch (format) {
            case F32 -> f32;
            case Q8_0 -> f32.quantizeQ8_0(true);
            case BF16, F16 -> AdapterWeights.matrix(new FloatMatrix(rows, cols, merged), format);
        };
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
