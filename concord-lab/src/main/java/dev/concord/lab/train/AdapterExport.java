package dev.concord.lab.train;

import dev.concord.adapter.AdapterWriter;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleFactors;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.ModuleSelector;
import dev.concord.lab.model.LabModelShape;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes trained LoRA factors as a PEFT adapter directory (adapter_config.json with r, lora_alpha and the target
 * projection names; adapter_model.safetensors in float32 with keys
 * {@code base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight} …) through concord-adapter's
 * {@link AdapterWriter}, which makes it appear atomically.
 */
public final class AdapterExport {
    private AdapterExport() {}

    /**
     * Writes {@code adapter} to {@code dir}.
     *
     * @param baseModel what adapter_config.json names as base_model_name_or_path (informational)
     */
    public static void write(LoraWeights adapter, Path dir, String baseModel, boolean replace) {
        LoraSettings s = adapter.settings();
        LoraConfig config = LoraConfig.builder()
                .taskType("CAUSAL_LM")
                .baseModelNameOrPath(baseModel)
                .r(s.rank())
                .loraAlpha(s.alpha())
                .targetModules(new ModuleSelector.Names(s.targetNames()))
                .build();
        AdapterWriter.write(dir, config, modules(adapter), replace);
    }

    static List<ModuleFactors> modules(LoraWeights adapter) {
        LabModelShape shape = adapter.shape();
        int r = adapter.settings().rank();
        List<ModuleFactors> out = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : adapter.settings().orderedTargets()) {
                int in = LabWeights.inFeatures(shape, p);
                int outFeatures = LabWeights.outFeatures(shape, p);
                out.add(ModuleFactors.of(p.moduleName(l), ModuleKind.LINEAR,
                        new FloatMatrix(r, in, adapter.a(l, p).clone()),
                        new FloatMatrix(outFeatures, r, adapter.b(l, p).clone()), DType.F32));
            }
        }
        return out;
    }
}
