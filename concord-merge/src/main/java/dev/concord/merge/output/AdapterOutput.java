package dev.concord.merge.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.adapter.AdapterWriter;
import dev.concord.adapter.LayerIndex;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleFactors;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.ModuleSelector;
import dev.concord.adapter.TaskVector;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.Merger;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code --format adapter}: a PEFT LoRA adapter directory. Each module's factors carry the whole update (scaling
 * folded in): the config gives every module r = lora_alpha = its rank (rank_pattern / alpha_pattern where modules
 * differ) and use_rslora false, so PEFT's scaling is 1. Factored results are written exactly unless a rank is
 * asked for; dense results are cut to the rank by a randomized SVD, and the energy each module keeps goes into the
 * safetensors {@code __metadata__} under {@code concord.retained_energy} (a JSON object as a string).
 *
 * <p>Modules are collected in memory as factors (small by construction) and written at {@link #write}, because
 * the header, which comes first in the file, holds the retained energies that are only known at the end. The files
 * themselves are written by {@link AdapterWriter#writeInto} (layout, tensor order, metadata order), into the
 * directory that the merge stages and publishes atomically.
 */
public final class AdapterOutput implements Merger.Output<AdapterOutput.Written> {
    public static final String RETAINED_ENERGY_KEY = "concord.retained_energy";

    /**
     * One module, ready to write.
     *
     * @param tau the update with its scale folded into the factor that becomes B ({@code tau.scale()} is 1):
     *     exactly the product that the written factors hold
     */
    public record Written(String module, ModuleKind kind, boolean fanInFanOut, TaskVector tau, double retainedEnergy) {
        /**
         * The PEFT factors (the written config's scaling is 1): B = left, A = right for a linear layer, sharing
         * tau's arrays; A = leftᵀ, B = rightᵀ for embeddings and fan_in_fan_out layers.
         */
        public ModuleFactors factors() {
            boolean transposed = kind == ModuleKind.EMBEDDING || fanInFanOut;
            return transposed
                    ? ModuleFactors.of(module, kind, tau.left().transpose(), tau.right().transpose(), DType.F32)
                    : ModuleFactors.of(module, kind, tau.right(), tau.left(), DType.F32);
        }
    }

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
        // the scale is folded here, on the worker thread, replacing the factor rather than copying it at write time
        boolean transposed = in.kind() == ModuleKind.EMBEDDING || in.fanInFanOut();
        return new Written(in.module(), in.kind(), in.fanInFanOut(), scaleFolded(r.tau(), transposed),
                r.retainedEnergy());
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
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RETAINED_ENERGY_KEY, energyJson());
        AdapterWriter.writeInto(dir, b.build(), modules.stream().map(Written::factors).toList(), metadata);
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

    /**
     * s·left·right with s folded into the factor that becomes PEFT's B (where training puts the magnitude): left
     * for a linear layer, right for transposed ones. Each entry is rounded to float once, as PEFT will read it.
     */
    private static TaskVector scaleFolded(TaskVector tau, boolean transposed) {
        double s = tau.scale();
        if (s == 1.0) {
            return tau;
        }
        return transposed
                ? TaskVector.of(1.0, tau.left(), times(tau.right(), s))
                : TaskVector.of(1.0, times(tau.left(), s), tau.right());
    }

    private static FloatMatrix times(FloatMatrix m, double s) {
        float[] d = m.data();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) (s * d[i]);
        }
        return new FloatMatrix(m.rows(), m.cols(), out);
    }

    private String energyJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        retainedEnergy().forEach(o::put);
        return o.toString();
    }
}
