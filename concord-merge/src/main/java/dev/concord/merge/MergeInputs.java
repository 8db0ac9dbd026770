package dev.concord.merge;

import dev.concord.adapter.LayerIndex;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.ModuleKind;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The input adapters of a merge, opened and checked together before anything is computed: every adapter loads
 * (PEFT layout, config, dtypes), holds only finite values, and every module they target has one shape, kind and
 * orientation across all of them. The union of their modules, sorted by name, is what gets merged.
 */
public final class MergeInputs implements AutoCloseable {
    /** One module of the union: where each adapter has it (null where absent). */
    public record ModuleSlot(String name, ModuleKind kind, boolean fanInFanOut, int rows, int cols,
            List<LoraModule> sources, OptionalInt layer) {}

    private final List<AdapterInput> inputs;
    private final List<LoraAdapter> adapters;
    private final Map<String, ModuleSlot> modules;
    private final int layerCount;

    private MergeInputs(List<AdapterInput> inputs, List<LoraAdapter> adapters, Map<String, ModuleSlot> modules,
            int layerCount) {
        this.inputs = List.copyOf(inputs);
        this.adapters = List.copyOf(adapters);
        this.modules = modules;
        this.layerCount = layerCount;
    }

    /** Opens and cross-checks the adapters; closes what it opened if anything is wrong. */
    public static MergeInputs open(List<AdapterInput> inputs) {
        if (inputs.isEmpty()) {
            throw new InvalidInputException("no adapters to merge (give at least one --adapter)");
        }
        List<LoraAdapter> opened = new ArrayList<>();
        try {
            for (AdapterInput in : inputs) {
                LoraAdapter a = LoraAdapter.load(in.path());
                opened.add(a);
                a.checkFinite();
            }
            Map<String, List<LoraModule>> byName = new TreeMap<>();
            for (int i = 0; i < opened.size(); i++) {
                for (LoraModule m : opened.get(i).modules()) {
                    List<LoraModule> slot = byName.computeIfAbsent(m.name(),
                            k -> new ArrayList<>(java.util.Collections.nCopies(inputs.size(), null)));
                    slot.set(i, m);
                }
            }
            Map<String, ModuleSlot> modules = new TreeMap<>();
            int maxLayer = -1;
            for (var e : byName.entrySet()) {
                ModuleSlot slot = slot(e.getKey(), e.getValue(), inputs);
                modules.put(e.getKey(), slot);
                if (slot.layer().isPresent()) {
                    maxLayer = Math.max(maxLayer, slot.layer().getAsInt());
                }
            }
            return new MergeInputs(inputs, opened, java.util.Collections.unmodifiableMap(modules), maxLayer + 1);
        } catch (RuntimeException e) {
            opened.forEach(LoraAdapter::close);
            throw e;
        }
    }

    private static ModuleSlot slot(String name, List<LoraModule> sources, List<AdapterInput> inputs) {
        LoraModule first = null;
        int firstIndex = -1;
        for (int i = 0; i < sources.size(); i++) {
            LoraModule m = sources.get(i);
            if (m == null) {
                continue;
            }
            if (first == null) {
                first = m;
                firstIndex = i;
                continue;
            }
            if (m.deltaRows() != first.deltaRows() || m.deltaCols() != first.deltaCols()) {
                throw new InvalidInputException("adapters are for different base shapes: module " + name + " is ["
                        + first.deltaRows() + ", " + first.deltaCols() + "] in " + inputs.get(firstIndex).spelling()
                        + " but [" + m.deltaRows() + ", " + m.deltaCols() + "] in " + inputs.get(i).spelling());
            }
            if (m.kind() != first.kind() || m.fanInFanOut() != first.fanInFanOut()) {
                throw new InvalidInputException("adapters disagree on the layer type of module " + name + ": "
                        + describe(first) + " in " + inputs.get(firstIndex).spelling() + " but " + describe(m) + " in "
                        + inputs.get(i).spelling());
            }
        }
        return new ModuleSlot(name, first.kind(), first.fanInFanOut(), first.deltaRows(), first.deltaCols(),
                java.util.Collections.unmodifiableList(sources), LayerIndex.of(name));
    }

    private static String describe(LoraModule m) {
        return m.kind().name().toLowerCase(java.util.Locale.ROOT) + (m.fanInFanOut() ? " (fan_in_fan_out)" : "");
    }

    public List<AdapterInput> inputs() {
        return inputs;
    }

    public List<LoraAdapter> adapters() {
        return adapters;
    }

    /** The union of targeted modules, by name. */
    public Map<String, ModuleSlot> modules() {
        return modules;
    }

    /** One more than the largest layer index of any module (0 when no module sits in a numbered layer). */
    public int layerCount() {
        return layerCount;
    }

    /** The module's relative depth for mergekit-style gradients: layer / (layers − 1); 0 outside the layers. */
    public double depth(ModuleSlot slot) {
        if (slot.layer().isEmpty() || layerCount <= 1) {
            return 0.0;
        }
        return (double) slot.layer().getAsInt() / (layerCount - 1);
    }

    /** SHA-256 of a file, hex; the provenance of each input in merge_report.json. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new ConcordException("cannot read " + file + " to hash it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        adapters.forEach(LoraAdapter::close);
    }
}
