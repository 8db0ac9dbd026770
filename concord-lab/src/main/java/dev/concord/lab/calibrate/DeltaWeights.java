package dev.concord.lab.calibrate;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.model.weights.LayerWeights;
import dev.concord.model.weights.Linear;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.model.weights.WeightMemory;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base model with a merged update added to its projections, W + c·Δ, in float32: the model a merge would give,
 * built in memory for one value of c. Only the projections the update touches are rebuilt; the rest is shared with
 * the base's memory maps, so the base must stay open while the result is used.
 */
final class DeltaWeights {
    private static final Pattern DECODER_MODULE = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");

    private DeltaWeights() {}

    /** Where one module of the update goes in the model. */
    private record Target(int layer, Projection projection) {}

    /**
     * Checks that every module of {@code delta} is one of the base's decoder projections with the same shape.
     *
     * @throws UnsupportedFeatureException for modules outside the seven projections (embeddings, lm_head)
     * @throws InvalidInputException for a layer the base lacks or a shape that differs
     */
    static void check(ModelWeights base, MergedDelta delta) {
        delta.modules().forEach((name, m) -> target(base, name, m));
    }

    /**
     * W + c·Δ on every module of {@code delta}; c·Δ and the sum are rounded to float once, per element. The new
     * matrices live off the heap, like the engine's own merged weights, until the result is closed.
     */
    static ModelWeights of(ModelWeights base, MergedDelta delta, double c) {
        Arena arena = Arena.ofShared();
        try {
            return of(base, delta, c, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static ModelWeights of(ModelWeights base, MergedDelta delta, double c, Arena arena) {
        List<Map<Projection, Linear>> replaced = new ArrayList<>();
        for (int l = 0; l < base.layerCount(); l++) {
            replaced.add(new EnumMap<>(Projection.class));
        }
        delta.modules().forEach((name, m) -> {
            Target t = target(base, name, m);
            Linear lin = base.layer(t.layer()).linear(t.projection());
            WeightMatrix w = lin.weight();
            float[] d = m.data();
            float[] sum = new float[d.length];
            int cols = w.cols();
            for (int r = 0; r < w.rows(); r++) {
                w.readRow(r, sum, r * cols);
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] = (float) (sum[i] + c * d[i]);
            }
            replaced.get(t.layer()).put(t.projection(),
                    lin.withWeight(WeightMemory.matrix(sum, w.rows(), cols, WeightFormat.F32, arena)));
        });
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < base.layerCount(); l++) {
            LayerWeights lw = base.layer(l);
            layers.add(replaced.get(l).isEmpty() ? lw : lw.replacing(replaced.get(l)));
        }
        return base.derive(base.embedding(), layers, base.lmHead(), arena::close);
    }

    private static Target target(ModelWeights base, String name, FloatMatrix m) {
        Matcher match = DECODER_MODULE.matcher(name);
        Projection p = match.matches() ? Projection.byModule(match.group(2)) : null;
        if (p == null) {
            throw new UnsupportedFeatureException("--q auto runs the merged update through the base model's decoder"
                    + " projections (q/k/v/o/gate/up/down_proj), but the adapters also change " + name);
        }
        int layer;
        try {
            layer = Integer.parseInt(match.group(1));
        } catch (NumberFormatException e) {
            layer = Integer.MAX_VALUE;
        }
        if (layer >= base.layerCount()) {
            throw new InvalidInputException("the adapters change " + name + " but the base model has "
                    + base.layerCount() + " layers");
        }
        WeightMatrix w = base.layer(layer).linear(p).weight();
        if (w.rows() != m.rows() || w.cols() != m.cols()) {
            throw new InvalidInputException("module " + name + ": the adapters' update is [" + m.rows() + ", "
                    + m.cols() + "] but the base model's weight is [" + w.rows() + ", " + w.cols() + "]");
        }
        return new Target(layer, p);
    }
}
