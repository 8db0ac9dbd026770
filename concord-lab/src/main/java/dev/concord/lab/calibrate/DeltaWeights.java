package dev.concord.lab.calibrate;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.model.weights.ModelWeights;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.kernel.WeightMatrix;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What --q auto can fold into a base model: a merged update of the decoder projections only, each the shape of the
 * base's weight (the fold itself, W + c·Δ, is the evaluation harness's {@link dev.concord.lab.eval.DeltaFold}).
 */
final class DeltaWeights {
    private static final Pattern DECODER_MODULE = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");

    private DeltaWeights() {}

    /**
     * Checks that every module of {@code delta} is one of the base's decoder projections with the same shape.
     *
     * @throws UnsupportedFeatureException for modules outside the seven projections (embeddings, lm_head)
     * @throws InvalidInputException for a layer the base lacks or a shape that differs
     */
    static void check(ModelWeights base, MergedDelta delta) {
        delta.delta().modules().forEach((name, m) -> checkModule(base, name, m));
    }

    private static void checkModule(ModelWeights base, String name, FloatMatrix m) {
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
    }
}
