package dev.concord.analysis;

import dev.concord.adapter.LoraModule;
import dev.concord.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The union of the layers the adapters target, in a stable order (by decoder layer, then name), checked so that
 * two adapters that target one layer agree on its shape: otherwise they were trained on different base models and
 * nothing about them can be compared.
 */
public final class ModuleCatalog {
    private ModuleCatalog() {}

    /**
     * @throws InvalidInputException if two adapters give one module different shapes
     */
    public static List<ModuleSlot> of(List<NamedAdapter> adapters) {
        int n = adapters.size();
        Map<String, LoraModule[]> byName = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            for (LoraModule m : adapters.get(i).adapter().modules()) {
                byName.computeIfAbsent(m.name(), k -> new LoraModule[n])[i] = m;
            }
        }
        List<ModuleSlot> out = new ArrayList<>();
        for (var e : byName.entrySet()) {
            LoraModule[] ms = e.getValue();
            LoraModule first = null;
            int firstIndex = -1;
            for (int i = 0; i < n; i++) {
                LoraModule m = ms[i];
                if (m == null) {
                    continue;
                }
                if (first == null) {
                    first = m;
                    firstIndex = i;
                } else if (m.deltaRows() != first.deltaRows() || m.deltaCols() != first.deltaCols()) {
                    throw new InvalidInputException("module '" + e.getKey() + "' has update shape [" + m.deltaRows()
                            + ", " + m.deltaCols() + "] in adapter '" + adapters.get(i).name() + "' but ["
                            + first.deltaRows() + ", " + first.deltaCols() + "] in adapter '"
                            + adapters.get(firstIndex).name() + "'; were they trained on the same base model?");
                }
            }
            out.add(new ModuleSlot(e.getKey(), first.layerIndex().orElse(-1), ModuleSlot.kindOf(e.getKey()),
                    first.deltaRows(), first.deltaCols(), ms));
        }
        out.sort((a, b) -> a.layer() != b.layer() ? Integer.compare(a.layer(), b.layer()) : a.name().compareTo(b.name()));
        return out;
    }
}
