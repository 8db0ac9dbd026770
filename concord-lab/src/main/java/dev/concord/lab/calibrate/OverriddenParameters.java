package dev.concord.lab.calibrate;

import dev.concord.merge.ParameterDef;
import dev.concord.merge.ParameterSource;
import java.util.Map;
import java.util.Optional;

/**
 * A parameter source with some parameters fixed to one value for every adapter and module, whatever the user
 * gave: the calibration merges the same inputs at q = 1, and without the drop (density 1) for its reference.
 */
final class OverriddenParameters implements ParameterSource {
    private final ParameterSource source;
    private final Map<String, Object> fixed;

    OverriddenParameters(ParameterSource source, Map<String, Object> fixed) {
        this.source = source;
        this.fixed = Map.copyOf(fixed);
    }

    @Override
    public Optional<Object> value(String name, int adapter, String module, double t) {
        Object v = fixed.get(name);
        return v != null ? Optional.of(v) : source.value(name, adapter, module, t);
    }

    @Override
    public Optional<Object> defaultFor(String method, String name, String module, double t) {
        return source.defaultFor(method, name, module, t);
    }

    @Override
    public String label(ParameterDef def, int adapter) {
        return source.label(def, adapter);
    }
}
