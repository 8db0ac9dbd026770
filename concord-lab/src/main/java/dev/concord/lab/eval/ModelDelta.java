package dev.concord.lab.eval;

import dev.concord.adapter.TaskVector;
import dev.concord.error.ConcordException;
import dev.concord.merge.DenseRows;
import dev.concord.tensor.FloatMatrix;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A merged update held in memory: per module (e.g. {@code model.layers.0.self_attn.q_proj}, {@code lm_head},
 * {@code model.embed_tokens}) a dense float32 delta in the base weight's stored orientation ([out, in] for linear
 * layers, [vocab, hidden] for the embedding). {@link DeltaFold} adds it to the base weights.
 *
 * <p>Dense because element-wise merges (TIES, DARE, …) are dense anyway and the lab model is small; a factored
 * result is densified once when added.
 */
public final class ModelDelta {
    private final Map<String, FloatMatrix> modules;

    private ModelDelta(Map<String, FloatMatrix> modules) {
        this.modules = Collections.unmodifiableMap(modules);
    }

    /** The update of each module, by module name (sorted). */
    public Map<String, FloatMatrix> modules() {
        return modules;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects modules; each module once. */
    public static final class Builder {
        private final Map<String, FloatMatrix> modules = new TreeMap<>();

        public Builder add(String module, FloatMatrix delta) {
            checkFinite(module, delta.data());
            if (modules.putIfAbsent(module, delta) != null) {
                throw new IllegalArgumentException("module " + module + " added twice to one delta");
            }
            return this;
        }

        /** Adds {@code scale · left · right}, densified. */
        public Builder add(String module, TaskVector tau) {
            float[] dense = new float[Math.multiplyExact(tau.rows(), tau.cols())];
            DenseRows.of(tau, 0, tau.rows(), dense, 0);
            return add(module, new FloatMatrix(tau.rows(), tau.cols(), dense));
        }

        public ModelDelta build() {
            return new ModelDelta(new TreeMap<>(modules));
        }

        private static void checkFinite(String module, float[] v) {
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ConcordException("merged update of " + module + " has a non-finite value " + v[i]
                            + " at element " + i + " (overflow in the merge; check the weights)");
                }
            }
        }
    }
}
