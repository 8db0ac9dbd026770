package dev.concord.merge.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.adapter.LayerIndex;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.ModuleSelector;
import dev.concord.adapter.TaskVector;
import dev.concord.error.ConcordException;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.Merger;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code --format adapter}: a PEFT LoRA adapter directory. Each module's factors carry the whole update (scaling
 * folded in): the config gives every module r = lora_alpha = its rank (rank_pattern / alpha_pattern where modules
 * differ) and use_rslora false, so PEFT's scaling is 1. Factored results are written exactly unless a rank is
 * asked for; dense results are cut to the rank by a randomized SVD, and the energy each module keeps goes into the
 * safetensors {@code __metadata__} under {@code concord.retained_energy} (a JSON object as a string).
 *
 * <p>Modules are collected in memory as factors (small by construction) and written at {@link #write}, because
 * the header, which comes first in the file, holds the retained energies that are only known at the end.
 */
public final class AdapterOutput implements Merger.Output<AdapterOutput.Written> {
    public static final String RETAINED_ENERGY_KEY = "concord.retained_energy";
    static final String CONFIG_FILE = "adapter_config.json";
    static final String WEIGHTS_FILE = "adapter_model.safetensors";

    /** One module's factors, ready to write. */
    public record Written(String module, ModuleKind kind, boolean fanInFanOut, TaskVector tau, double retainedEnergy) {}

    private final MergeMethod method;
    private final Integer rank;
    private final List<Written> modules = new ArrayList<>();

    /** @param rank the --rank option, or null for each module's default */
    public AdapterOutput(MergeMethod method, Integer rank) {
        this.method = method;
        this.rank = rank;
    }

    @Override
    public Written finish(ModuleInputs in, ModuleResult result) {
        RankReduction r = switch (result) {
            case ModuleResult.LowRank lr -> rank == null || method.keepsFullRank()
                    ? RankReduction.exact(lr.tau())
                    : RankReduction.ofLowRank(lr.tau(), rank);
            case ModuleResult.Dense d -> RankReduction.ofDense(DenseModule.cached(d.source()),
                    rank != null ? rank : in.maxInputRank(), MaskRandom.of(in.seed(), MaskRandom.STREAM_SVD, in.module(), 0).bits(0));
        };
        return new Written(in.module(), in.kind(), in.fanInFanOut(), r.tau(), r.retainedEnergy());
    }

    @Override
    public void write(ModuleInputs in, Written finished) {
        modules.add(finished);
    }

    public List<Written> modules() {
        return List.copyOf(modules);
    }

    /** Per-module retained energy, by module name. */
    public SortedMap<String, Double> retainedEnergy() {
        SortedMap<String, Double> m = new TreeMap<>();
        modules.forEach(w -> m.put(w.module(), w.retainedEnergy()));
        return m;
    }

    /**
     * Writes adapter_config.json and adapter_model.safetensors into {@code dir}.
     *
     * @param template the first input adapter's config: base model, task type and fan_in_fan_out are taken from it
     */
    public void write(Path dir, LoraConfig template) {
        Map<String, Integer> ranks = new TreeMap<>();
        Map<String, Double> alphas = new TreeMap<>();
        for (Written w : modules) {
            ranks.put(w.module(), w.tau().rank());
            alphas.put(w.module(), (double) w.tau().rank());
        }
        List<String> targets = targetNames();
        LoraConfig.Builder b = LoraConfig.builder().perModule(ranks, alphas).useRslora(false)
                .targetModules(new ModuleSelector.Names(targets));
        if (!targets.isEmpty() && !targets.getFirst().contains(".")) {
            // short names: restrict them to the layers written when those are not simply 0..max
            TreeSet<Integer> layers = new TreeSet<>();
            modules.forEach(w -> LayerIndex.of(w.module()).ifPresent(layers::add));
            if (!layers.isEmpty() && layers.last() + 1 != layers.size()) {
                b.layersToTransform(List.copyOf(layers));
            }
        }
        template.baseModelNameOrPath().ifPresent(b::baseModelNameOrPath);
        template.taskType().ifPresent(b::taskType);
        b.fanInFanOut(modules.stream().anyMatch(Written::fanInFanOut));
        LoraConfig config = b.build();
        try {
            Files.writeString(dir.resolve(CONFIG_FILE), config.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConcordException("cannot write " + dir.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
        }
        writeWeights(dir.resolve(WEIGHTS_FILE));
    }

    /**
     * Short names (e.g. q_proj) when the modules form a full grid, every name present in every layer that any
     * module sits in, so that PEFT selects exactly these modules; otherwise the exact module names.
     */
    private List<String> targetNames() {
        Map<String, TreeSet<Integer>> layersByName = new TreeMap<>();
        TreeSet<Integer> allLayers = new TreeSet<>();
        TreeSet<String> full = new TreeSet<>();
        boolean grid = true;
        for (Written w : modules) {
            full.add(w.module());
            OptionalInt layer = LayerIndex.of(w.module());
            if (layer.isEmpty()) {
                grid = false;
                continue;
            }
            String name = w.module().substring(w.module().lastIndexOf('.') + 1);
            if (!layersByName.computeIfAbsent(name, k -> new TreeSet<>()).add(layer.getAsInt())) {
                grid = false; // the same short name twice in one layer (e.g. experts): only full names are exact
            }
            allLayers.add(layer.getAsInt());
        }
        for (TreeSet<Integer> layers : layersByName.values()) {
            grid &= layers.equals(allLayers);
        }
        return grid ? List.copyOf(layersByName.keySet()) : List.copyOf(full);
    }

    private void writeWeights(Path file) {
        record Entry(TensorSpec spec, Consumer<SafetensorsWriter> body) {}
        List<Entry> entries = new ArrayList<>();
        for (Written w : modules) {
            boolean transposed = w.kind() == ModuleKind.EMBEDDING || w.fanInFanOut();
            TaskVector t = w.tau();
            FloatMatrix left = scaled(t.left(), t.scale());
            // Linear: B = s·left [out, r], A = right [r, in]. Transposed layers: A = leftᵀ, B = (s·right)ᵀ.
            FloatMatrix a = transposed ? t.left().transpose() : t.right();
            FloatMatrix bm = transposed ? scaled(t.right(), t.scale()).transpose() : left;
            String prefix = "base_model.model." + w.module();
            String keyA = prefix + (w.kind() == ModuleKind.EMBEDDING ? ".lora_embedding_A" : ".lora_A.weight");
            String keyB = prefix + (w.kind() == ModuleKind.EMBEDDING ? ".lora_embedding_B" : ".lora_B.weight");
            entries.add(new Entry(TensorSpec.matrix(keyA, DType.F32, a.rows(), a.cols()), wr -> wr.writeFloats(a.data())));
            entries.add(new Entry(TensorSpec.matrix(keyB, DType.F32, bm.rows(), bm.cols()), wr -> wr.writeFloats(bm.data())));
        }
        entries.sort(Comparator.comparing(e -> e.spec().name()));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put(RETAINED_ENERGY_KEY, energyJson());
        try (SafetensorsWriter w = SafetensorsWriter.open(file, entries.stream().map(Entry::spec).toList(), metadata)) {
            for (Entry e : entries) {
                e.body().accept(w);
            }
            w.commit();
        }
    }

    private String energyJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        retainedEnergy().forEach(o::put);
        return o.toString();
    }

    private static FloatMatrix scaled(FloatMatrix m, double s) {
        if (s == 1.0) {
            return m;
        }
        float[] d = m.data();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) (s * d[i]);
        }
        return new FloatMatrix(m.rows(), m.cols(), out);
    }
}
