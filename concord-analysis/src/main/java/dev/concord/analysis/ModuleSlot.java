package dev.concord.analysis;

import dev.concord.adapter.LoraModule;
import java.util.ArrayList;
import java.util.List;

/**
 * One base-model layer that at least one of the analysed adapters targets: its name, decoder layer (−1 when the
 * name has none, e.g. {@code lm_head}), short kind ({@code q_proj}, …), the shape of its update in the base
 * weight's orientation, and the adapters' modules on it ({@code null} where an adapter does not target it).
 */
public record ModuleSlot(String name, int layer, String kind, int rows, int cols, LoraModule[] modules) {

    /** Indices of the adapters that target this layer, in input order. */
    public int[] present() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < modules.length; i++) {
            if (modules[i] != null) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public long numel() {
        return (long) rows * cols;
    }

    /** The last part of a module name: {@code model.layers.3.mlp.down_proj} → {@code down_proj}. */
    static String kindOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }
}
