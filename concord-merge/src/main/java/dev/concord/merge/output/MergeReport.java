package dev.concord.merge.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.concord.error.ConcordException;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.ConcordVersion;
import dev.concord.merge.MergeInputs;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.ModulePlan;
import dev.concord.merge.ParameterDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * merge_report.json: how an output was made — Concord version, method and the paper/tool it follows, every
 * parameter as resolved (one value when it is the same on every module, else per module), the seed, the inputs
 * with the SHA-256 of their files, and for adapter output the energy each module keeps. Key order is fixed and
 * nothing depends on the clock, so identical merges give identical reports.
 */
public final class MergeReport {
    public static final String FILE_NAME = "merge_report.json";

    private MergeReport() {}

    public static Map<String, Object> build(MergeRequest request, MergeInputs inputs, List<ModulePlan> plans,
            SortedMap<String, Double> retainedEnergy) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("concord_version", ConcordVersion.get());
        r.put("method", request.method().name());
        r.put("reference", request.method().reference());
        r.put("format", request.format().cliName());
        r.put("seed", request.seed());
        r.put("rank", request.rank());
        r.put("parameters", parameters(request, plans));
        List<Map<String, Object>> ins = new ArrayList<>();
        for (int i = 0; i < request.adapters().size(); i++) {
            AdapterInput a = request.adapters().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", a.spelling());
            int index = i;
            m.put("weight", uniform(plans, p -> p.weights()[index]));
            m.put("adapter_config_sha256", MergeInputs.sha256(a.path().resolve("adapter_config.json")));
            m.put("adapter_model_sha256", MergeInputs.sha256(a.path().resolve("adapter_model.safetensors")));
            ins.add(m);
        }
        r.put("inputs", ins);
        if (request.configFile() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("path", request.configFile().toString());
            c.put("sha256", MergeInputs.sha256(request.configFile()));
            r.put("config_file", c);
        }
        if (request.base() != null) {
            r.put("base_model", request.base().toString());
        }
        r.put("modules", plans.size());
        if (!retainedEnergy.isEmpty()) {
            r.put("min_retained_energy", retainedEnergy.values().stream().mapToDouble(Double::doubleValue).min().orElse(1));
            r.put("retained_energy", retainedEnergy);
        }
        return r;
    }

    private static Map<String, Object> parameters(MergeRequest request, List<ModulePlan> plans) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterDef def : request.method().parameters()) {
            out.put(def.name(), uniform(plans, p -> p.params().asMap().get(def.name())));
        }
        return out;
    }

    /** The value if every module has the same one, else {module: value}. */
    private static Object uniform(List<ModulePlan> plans, java.util.function.Function<ModulePlan, Object> f) {
        if (plans.isEmpty()) {
            return null;
        }
        Object first = f.apply(plans.getFirst());
        boolean same = plans.stream().allMatch(p -> Objects.equals(f.apply(p), first));
        if (same) {
            return jsonValue(first);
        }
        Map<String, Object> per = new TreeMap<>();
        plans.forEach(p -> per.put(p.name(), jsonValue(f.apply(p))));
        return Map.of("per_module", per);
    }

    private static Object jsonValue(Object v) {
        return v;
    }

    public static void write(Path dir, Map<String, Object> report) {
        try {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.writeString(dir.resolve(FILE_NAME), mapper.writeValueAsString(report) + "\n");
        } catch (IOException e) {
            throw new ConcordException("cannot write " + dir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }
}
