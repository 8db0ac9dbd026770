package dev.concord.merge;

import dev.concord.error.InvalidInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one method on one module, resolved and checked: for each declared parameter the user's value
 * (per adapter where the parameter allows it), else the source's dialect default, else the method's default.
 * Resolution happens for every module before any output is written, so a bad value anywhere fails the whole
 * merge up front.
 */
public final class ModuleParameters {
    private final Map<String, Object> global;
    private final Map<String, Object[]> perAdapter;
    private final int adapters;

    private ModuleParameters(Map<String, Object> global, Map<String, Object[]> perAdapter, int adapters) {
        this.global = global;
        this.perAdapter = perAdapter;
        this.adapters = adapters;
    }

    /** Number of input adapters the per-adapter values cover. */
    public int adapters() {
        return adapters;
    }

    /** Resolves every parameter of {@code method} for one module. */
    public static ModuleParameters resolve(MergeMethod method, ParameterSource source, String module, double t,
            int adapters) {
        Map<String, Object> global = new LinkedHashMap<>();
        Map<String, Object[]> per = new LinkedHashMap<>();
        for (ParameterDef def : method.parameters()) {
            if (def.perAdapter()) {
                Object[] values = new Object[adapters];
                for (int i = 0; i < adapters; i++) {
                    values[i] = resolveOne(method, source, def, i, module, t);
                }
                per.put(def.name(), values);
            } else {
                Object v = resolveOne(method, source, def, -1, module, t);
                if (v != null) {
                    global.put(def.name(), v);
                }
            }
        }
        return new ModuleParameters(global, per, adapters);
    }

    private static Object resolveOne(MergeMethod method, ParameterSource source, ParameterDef def, int adapter,
            String module, double t) {
        String where = source.label(def, adapter) + " (module " + module + ")";
        Object raw = source.value(def.name(), adapter, module, t)
                .or(() -> adapter >= 0 ? source.value(def.name(), -1, module, t) : java.util.Optional.empty())
                .or(() -> source.defaultFor(method.name(), def.name(), module, t))
                .orElse(def.defaultValue());
        if (raw == null) {
            throw new InvalidInputException(source.label(def, -1) + " is required by method " + method.name());
        }
        return def.kind().accept(raw, where);
    }

    /** For tests and programmatic use: parameters given directly. */
    public static ModuleParameters of(Map<String, Object> global, Map<String, Object[]> perAdapter, int adapters) {
        return new ModuleParameters(new LinkedHashMap<>(global), new LinkedHashMap<>(perAdapter), adapters);
    }

    public boolean has(String name) {
        return global.containsKey(name) || perAdapter.containsKey(name);
    }

    public double number(String name) {
        return ((Number) require(global.get(name), name)).doubleValue();
    }

    public int integer(String name) {
        return ((Number) require(global.get(name), name)).intValue();
    }

    public String choice(String name) {
        return (String) require(global.get(name), name);
    }

    /** A per-adapter number for adapter {@code i}. */
    public double number(String name, int i) {
        Object[] values = perAdapter.get(name);
        if (values == null) {
            return number(name);
        }
        return ((Number) require(values[i], name)).doubleValue();
    }

    private static Object require(Object v, String name) {
        if (v == null) {
            throw new InvalidInputException("missing required parameter " + name);
        }
        return v;
    }

    /** Every resolved value, for the report: globals as values, per-adapter ones as lists. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>(global);
        perAdapter.forEach((k, v) -> m.put(k, List.of(v)));
        return Collections.unmodifiableMap(m);
    }
}
