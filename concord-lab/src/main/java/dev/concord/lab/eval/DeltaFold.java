package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
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
 * Adds a {@link ModelDelta} to a model's weights, in float32: {@code W' = W + Δ} for each module the delta names.
 * This is what {@code concord merge --format model} writes, except that the sum stays float32 instead of being
 * narrowed to the checkpoint's dtype (the lab's checkpoints are float32, where the two agree). Like the engine's
 * LoRA on the embedding, an embedding delta changes the lookup table only, never a tied output layer.
 */
public final class DeltaFold {
    private static final Pattern LAYER_MODULE = Pattern.compile("^model\\.layers\\.(\\d{1,9})\\.(.+)$");

    private DeltaFold() {}

    /**
     * Weights that share {@code base}'s maps with the adapted matrices replaced; close the result (its own memory)
     * before {@code base}.
     *
     * @throws InvalidInputException when the delta names a module the model lacks or has the wrong shape
     */
    public static ModelWeights fold(ModelWeights base, ModelDelta delta) {
        return fold(base, delta, 1.0);
    }

    /**
     * {@code W' = W + scale·Δ}: the product and the sum are computed in double and rounded to float once per element
     * (for scale 1 that is exactly the float sum {@code W + Δ}: double holds the sum of two floats well enough that
     * rounding it to float gives the correctly rounded float sum).
     */
    public static ModelWeights fold(ModelWeights base, ModelDelta delta, double scale) {
        int layerCount = base.layerCount();
        List<Map<Projection, FloatMatrix>> perLayer = new ArrayList<>();
        for (int l = 0; l < layerCount; l++) {
            perLayer.add(new EnumMap<>(Projection.class));
        }
        FloatMatrix head = null;
        FloatMatrix embedding = null;
        for (Map.Entry<String, FloatMatrix> e : delta.modules().entrySet()) {
            String name = e.getKey();
            if (name.equals("lm_head")) {
                head = e.getValue();
                continue;
            }
            if (name.equals("model.embed_tokens")) {
                embedding = e.getValue();
                continue;
            }
            Matcher m = LAYER_MODULE.matcher(name);
            Projection p = m.matches() ? Projection.byModule(m.group(2)) : null;
            int layer = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (p == null || layer >= layerCount) {
                throw new InvalidInputException("merged module '" + name + "' is not a layer of the model ("
                        + layerCount + " layers; updates can target model.layers.<i>.self_attn.{q,k,v,o}_proj, "
                        + "model.layers.<i>.mlp.{gate,up,down}_proj, lm_head, model.embed_tokens)");
            }
            perLayer.get(layer).put(p, e.getValue());
        }
        Arena arena = Arena.ofShared();
        try {
            List<LayerWeights> layers = new ArrayList<>();
            for (int l = 0; l < layerCount; l++) {
                LayerWeights lw = base.layer(l);
                Map<Projection, Linear> replaced = new EnumMap<>(Projection.class);
                for (Map.Entry<Projection, FloatMatrix> e : perLayer.get(l).entrySet()) {
                    Linear lin = lw.linear(e.getKey());
                    replaced.put(e.getKey(),
                            lin.withWeight(add(e.getKey().moduleName(l), lin.weight(), e.getValue(), scale, arena)));
                }
                layers.add(replaced.isEmpty() ? lw : lw.replacing(replaced));
            }
            Linear lmHead = head == null ? base.lmHead()
                    : base.lmHead().withWeight(add("lm_head", base.lmHead().weight(), head, scale, arena));
            WeightMatrix table = embedding == null ? base.embedding()
                    : add("model.embed_tokens", base.embedding(), embedding, scale, arena);
            return base.derive(table, layers, lmHead, arena::close);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static WeightMatrix add(String name, WeightMatrix w, FloatMatrix delta, double scale, Arena arena) {
        if (delta.rows() != w.rows() || delta.cols() != w.cols()) {
            throw new InvalidInputException("merged update of " + name + " is " + delta.shapeString()
                    + " but the model's weight is [" + w.rows() + ", " + w.cols() + "] (adapters for another model?)");
        }
        long n = (long) w.rows() * w.cols();
        float[] sum;
        try {
            sum = new float[Math.toIntExact(n)];
        } catch (OutOfMemoryError | ArithmeticException e) {
            throw new ResourceException("cannot hold " + name + " merged in float32 (" + 4 * n + " bytes)", e);
        }
        for (int r = 0; r < w.rows(); r++) {
            w.readRow(r, sum, r * w.cols());
        }
        float[] d = delta.data();
        for (int i = 0; i < sum.length; i++) {
            sum[i] = (float) (sum[i] + scale * d[i]);
        }
        return WeightMemory.matrix(sum, w.rows(), w.cols(), WeightFormat.F32, arena);
    }
}
