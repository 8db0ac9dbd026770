package dev.concord.cli.commands;

import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.ModuleSelector;
import dev.concord.cli.Formats;
import dev.concord.cli.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What {@code concord inspect} reports for a PEFT LoRA adapter directory. */
final class AdapterInspection {
    private AdapterInspection() {}

    static Map<String, Object> describe(Path dir) {
        try (LoraAdapter a = LoraAdapter.load(dir)) {
            LoraConfig c = a.config();
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("kind", "adapter");
            j.put("path", dir.toString());
            j.put("peft_type", c.peftType());
            j.put("base_model", c.baseModelNameOrPath().orElse(null));
            j.put("task_type", c.taskType().orElse(null));
            j.put("r", c.r());
            j.put("lora_alpha", c.loraAlpha());
            j.put("use_rslora", c.useRslora());
            j.put("rank_pattern", c.rankPattern());
            j.put("alpha_pattern", c.alphaPattern());
            j.put("target_modules", selector(c.targetModules().orElse(null)));
            j.put("exclude_modules", selector(c.excludeModules().orElse(null)));
            j.put("layers_to_transform", c.layersToTransform().isEmpty() ? null : c.layersToTransform());
            j.put("fan_in_fan_out", c.fanInFanOut());
            j.put("bias", c.bias());
            j.put("modules_to_save", c.modulesToSave().orElse(null));
            j.put("carried_tensors", a.carriedTensors());
            j.put("layers", new ArrayList<>(a.layers()));
            j.put("parameters", a.parameterCount());
            Map<String, Integer> dtypes = new TreeMap<>();
            TreeSet<Integer> ranks = new TreeSet<>();
            TreeSet<Double> scalings = new TreeSet<>();
            List<Map<String, Object>> modules = new ArrayList<>();
            for (LoraModule m : a.modules()) {
                dtypes.merge(m.dtype().name(), 1, Integer::sum);
                ranks.add(m.rank());
                scalings.add(m.scaling());
                Map<String, Object> mj = new LinkedHashMap<>();
                mj.put("name", m.name());
                mj.put("kind", m.kind().name().toLowerCase(java.util.Locale.ROOT));
                mj.put("rank", m.rank());
                mj.put("alpha", m.alpha());
                mj.put("scaling", m.scaling());
                mj.put("shape", List.of(m.deltaRows(), m.deltaCols()));
                mj.put("dtype", m.dtype().name());
                mj.put("parameters", m.parameterCount());
                mj.put("tau_norm", m.taskVector().frobeniusNorm());
                modules.add(mj);
            }
            j.put("dtypes", dtypes);
            j.put("ranks", new ArrayList<>(ranks));
            j.put("scalings", new ArrayList<>(scalings));
            j.put("module_count", modules.size());
            j.put("untargeted_modules", a.untargetedModules());
            j.put("modules", modules);
            return j;
        }
    }

    private static Object selector(ModuleSelector s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case ModuleSelector.Names n -> n.names();
            case ModuleSelector.Regex r -> r.pattern();
            case ModuleSelector.AllLinear al -> al.spelling();
        };
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> j, PrintWriter out) {
        out.println("adapter  " + j.get("path"));
        Table t = new Table("property", "value").leftAligned();
        t.row("peft type", j.get("peft_type"));
        t.row("base model", j.get("base_model") == null ? "(not recorded)" : j.get("base_model"));
        t.row("r / lora_alpha", j.get("r") + " / " + Formats.num(((Number) j.get("lora_alpha")).doubleValue())
                + (Boolean.TRUE.equals(j.get("use_rslora")) ? " (rsLoRA: alpha/sqrt(r))" : ""));
        Map<String, ?> rp = (Map<String, ?>) j.get("rank_pattern");
        Map<String, ?> ap = (Map<String, ?>) j.get("alpha_pattern");
        if (!rp.isEmpty()) {
            t.row("rank_pattern", rp);
        }
        if (!ap.isEmpty()) {
            t.row("alpha_pattern", ap);
        }
        t.row("ranks in use", j.get("ranks"));
        List<Double> sc = (List<Double>) j.get("scalings");
        t.row("scaling", sc.stream().map(Formats::num).toList());
        t.row("target_modules", j.get("target_modules"));
        if (j.get("exclude_modules") != null) {
            t.row("exclude_modules", j.get("exclude_modules"));
        }
        t.row("layers covered", ranges((List<Integer>) j.get("layers")));
        t.row("modules", j.get("module_count"));
        t.row("parameters", Formats.count(((Number) j.get("parameters")).longValue()));
        t.row("dtypes", j.get("dtypes"));
        if (j.get("modules_to_save") != null || !((List<?>) j.get("carried_tensors")).isEmpty()) {
            t.row("modules_to_save", j.get("modules_to_save") + " (full tensors: " + ((List<?>) j.get("carried_tensors")).size()
                    + "; merge/serve cannot carry them)");
        }
        List<?> untargeted = (List<?>) j.get("untargeted_modules");
        if (!untargeted.isEmpty()) {
            t.row("warning", untargeted.size() + " module(s) in the weights are not selected by target_modules");
        }
        t.print(out);
        out.println();
        Table m = new Table("module", "rank", "scaling", "shape", "||tau||");
        for (Map<String, Object> mj : (List<Map<String, Object>>) j.get("modules")) {
            List<?> shape = (List<?>) mj.get("shape");
            m.row(mj.get("name"), mj.get("rank"), Formats.num(((Number) mj.get("scaling")).doubleValue()),
                    shape.get(0) + "x" + shape.get(1), Formats.num(((Number) mj.get("tau_norm")).doubleValue()));
        }
        m.print(out);
    }

    /** 0,1,2,3,7 → "0-3, 7". */
    static String ranges(List<Integer> xs) {
        if (xs.isEmpty()) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        int start = xs.get(0);
        int prev = start;
        for (int i = 1; i <= xs.size(); i++) {
            if (i < xs.size() && xs.get(i) == prev + 1) {
                prev = xs.get(i);
                continue;
            }
            sb.append(sb.isEmpty() ? "" : ", ").append(start == prev ? String.valueOf(start) : start + "-" + prev);
            if (i < xs.size()) {
                start = xs.get(i);
                prev = start;
            }
        }
        return sb.toString();
    }
}
