package dev.concord.merge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parameters as the command line gives them: one value per parameter for every module and adapter, and one weight
 * per adapter (from {@code PATH:WEIGHT}).
 */
public final class FixedParameters implements ParameterSource {
    private final Map<String, Object> values;
    private final double[] weights;

    public FixedParameters(Map<String, Object> values, List<AdapterInput> adapters) {
        this.values = new LinkedHashMap<>(values);
        this.weights = adapters.stream().mapToDouble(AdapterInput::weight).toArray();
    }

    @Override
    public Optional<Object> value(String name, int adapter, String module, double t) {
        if (name.equals("weight")) {
            return adapter >= 0 ? Optional.of(weights[adapter]) : Optional.empty();
        }
        return adapter >= 0 ? Optional.empty() : Optional.ofNullable(values.get(name));
    }

    @Override
    public String label(ParameterDef def, int adapter) {
        return def.option() != null ? def.option() : def.name();
    }
}
