package dev.concord.merge;

import java.util.Optional;

/**
 * Where parameter values come from: the command line (one value for everything, weights per adapter) or a
 * merge.yaml (values per adapter, per module filter and per layer gradient, as mergekit evaluates them).
 */
public interface ParameterSource {
    /**
     * The value set for {@code name} on a module, or empty when the user set none.
     *
     * @param adapter index of the input adapter for per-adapter parameters, -1 for global ones
     * @param module  the module's name, e.g. {@code model.layers.3.self_attn.q_proj}
     * @param t       the module's relative depth in [0, 1] (layer / (layers − 1)), for gradients
     */
    Optional<Object> value(String name, int adapter, String module, double t);

    /**
     * A default that replaces the method's own default in this source's dialect (a merge.yaml uses mergekit's
     * defaults, e.g. density 1.0), or empty.
     */
    default Optional<Object> defaultFor(String method, String name, String module, double t) {
        return Optional.empty();
    }

    /** How to name the parameter in an error message, e.g. {@code --density} or {@code parameters.density}. */
    String label(ParameterDef def, int adapter);
}
