package dev.concord.merge.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.ParameterSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A merge.yaml in mergekit's format: {@code merge_method}, optional {@code base_model} (the Hugging Face base model,
 * used by {@code --format model}), {@code models} (adapter directories, each with optional {@code parameters}) and
 * global {@code parameters}. Parameter names and defaults are mergekit's: weight is required, density defaults to
 * 1.0, epsilon to 0.15, {@code normalize} and {@code rescale} follow each method's mergekit default, sign election
 * is on weighted task vectors and the disjoint mean divides by the agreeing weights (or not at all when
 * {@code normalize: false}). Concord's own parameters (majority_sign, disjoint, trim_scope, dare_rescale, q, scope,
 * …) may be given under {@code parameters} with their CLI names in snake_case.
 *
 * <p>mergekit's {@code slices} and {@code modules} layouts select layer ranges of full models; adapters have no
 * such use and are refused. {@code dtype}, {@code out_dtype}, {@code tokenizer_source}, {@code tokenizer} and
 * {@code chat_template} are accepted and ignored with a warning (a merged model keeps its base's dtypes and files).
 */
public final class MergeConfig implements ParameterSource {
    private static final Set<String> TOP_LEVEL = Set.of("merge_method", "base_model", "models", "parameters", "dtype",
            "out_dtype", "tokenizer_source", "tokenizer", "chat_template", "slices", "modules", "name");
    private static final Set<String> IGNORED = Set.of("dtype", "out_dtype", "tokenizer_source", "tokenizer",
            "chat_template", "name");
    /** mergekit's per-method defaults of normalize and rescale. */
    private static final Set<String> NORMALIZE_BY_DEFAULT = Set.of("linear", "ties", "della");
    private static final Set<String> RESCALE_BY_DEFAULT = Set.of("dare_ties", "dare_linear", "della", "della_linear");

    private final Path file;
    private final String method;
    private final Path baseModel;
    private final List<AdapterInput> adapters;
    private final List<Map<String, ParameterSetting>> perModel;
    private final Map<String, ParameterSetting> global;
    private final List<String> warnings;

    private MergeConfig(Path file, String method, Path baseModel, List<AdapterInput> adapters,
            List<Map<String, ParameterSetting>> perModel, Map<String, ParameterSetting> global, List<String> warnings) {
        this.file = file;
        this.method = method;
        this.baseModel = baseModel;
        this.adapters = List.copyOf(adapters);
        this.perModel = List.copyOf(perModel);
        this.global = global;
        this.warnings = List.copyOf(warnings);
    }

    public static MergeConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": no such config file");
        }
        JsonNode root;
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = yaml.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not valid YAML (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": expected a mapping with merge_method and models");
        }
        List<String> warnings = new ArrayList<>();
        for (var it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!TOP_LEVEL.contains(k)) {
                throw new InvalidInputException(file + ": unknown key '" + k + "' (known: merge_method, base_model, "
                        + "models, parameters)");
            }
            if (IGNORED.contains(k)) {
                warnings.add(file + ": '" + k + "' is ignored (Concord keeps the base model's dtypes and files)");
            }
        }
        if (root.has("slices") || root.has("modules")) {
            throw new UnsupportedFeatureException(file + ": mergekit's 'slices' and 'modules' layouts are not "
                    + "supported for adapters; list the adapters under 'models'");
        }
        JsonNode m = root.get("merge_method");
        if (m == null || !m.isTextual() || m.asText().isBlank()) {
            throw new InvalidInputException(file + ": merge_method is required (e.g. merge_method: ties)");
        }
        Path base = null;
        if (root.hasNonNull("base_model")) {
            base = path(root.get("base_model"), file + ": base_model");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isArray() || models.isEmpty()) {
            throw new InvalidInputException(file + ": 'models' must list at least one adapter");
        }
        List<AdapterInput> adapters = new ArrayList<>();
        List<Map<String, ParameterSetting>> perModel = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            JsonNode entry = models.get(i);
            String where = file + ": models[" + i + "]";
            JsonNode model = entry.isObject() ? entry.get("model") : entry;
            if (entry.isObject()) {
                for (var it = entry.fieldNames(); it.hasNext();) {
                    String k = it.next();
                    if (!k.equals("model") && !k.equals("parameters")) {
                        throw new InvalidInputException(where + ": unknown key '" + k + "' (model, parameters)");
                    }
                }
            }
            if (model == null) {
                throw new InvalidInputException(where + ": needs 'model: PATH'");
            }
            Path p = path(model, where + ".model");
            adapters.add(new AdapterInput(model.asText(), p, 1.0));
            perModel.add(settings(entry.isObject() ? entry.get("parameters") : null, where + ".parameters"));
        }
        Map<String, ParameterSetting> global = settings(root.get("parameters"), file + ": parameters");
        return new MergeConfig(file, m.asText(), base, adapters, perModel, global, warnings);
    }

    private static Map<String, ParameterSetting> settings(JsonNode node, String where) {
        Map<String, ParameterSetting> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidInputException(where + ": expected a mapping of parameter names to values");
        }
        for (var e : node.properties()) {
            out.put(e.getKey(), new ParameterSetting(e.getValue(), where + "." + e.getKey()));
        }
        return out;
    }

    private static Path path(JsonNode n, String where) {
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new InvalidInputException(where + ": expected a path");
        }
        try {
            return Path.of(n.asText());
        } catch (InvalidPathException e) {
            throw new InvalidInputException(where + ": not a valid path (" + e.getMessage() + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public Path file() {
        return file;
    }

    public String method() {
        return method;
    }

    /** base_model, or null. */
    public Path baseModel() {
        return baseModel;
    }

    /** The adapters under {@code models}, in order (their weights come from the parameters, per module). */
    public List<AdapterInput> adapters() {
        return adapters;
    }

    /** Things the user should know that are not errors. */
    public List<String> warnings() {
        return warnings;
    }

    /** Parameter names set anywhere in the file, to warn about ones the method does not use. */
    public Set<String> namesUsed() {
        Set<String> names = new java.util.TreeSet<>(global.keySet());
        perModel.forEach(m -> names.addAll(m.keySet()));
        return names;
    }

    @Override
    public Optional<Object> value(String name, int adapter, String module, double t) {
        String tensor = module + ".weight";
        if (adapter >= 0) {
            ParameterSetting own = perModel.get(adapter).get(name);
            if (own != null) {
                Optional<Object> v = own.evaluate(tensor, t);
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        ParameterSetting g = global.get(name);
        Optional<Object> v = g == null ? Optional.empty() : g.evaluate(tensor, t);
        if (v.isEmpty() && name.equals("weight") && adapter >= 0) {
            throw new InvalidInputException(file + ": models[" + adapter + "] (" + adapters.get(adapter).spelling()
                    + "): parameter weight is required, as in mergekit (tensor " + tensor + ")");
        }
        return v;
    }

    @Override
    public Optional<Object> defaultFor(String method, String name, String module, double t) {
        return switch (name) {
            case "density" -> Optional.of(1.0);
            case "epsilon" -> Optional.of(0.15);
            case "sign_election" -> Optional.of("weighted");
            case "normalize" -> Optional.of(Boolean.toString(normalize(method, module, t)));
            case "disjoint" -> Optional.of(normalize(method, module, t) ? "weight" : "sum");
            case "dare_rescale" -> Optional.of(rescale(method, module, t) ? "l1" : "none");
            default -> Optional.empty();
        };
    }

    private boolean normalize(String method, String module, double t) {
        return flag("normalize", module, t).orElse(NORMALIZE_BY_DEFAULT.contains(method));
    }

    private boolean rescale(String method, String module, double t) {
        return flag("rescale", module, t).orElse(RESCALE_BY_DEFAULT.contains(method));
    }

    private Optional<Boolean> flag(String name, String module, double t) {
        ParameterSetting s = global.get(name);
        if (s == null) {
            return Optional.empty();
        }
        return s.evaluate(module + ".weight", t).map(v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof String str && (str.equalsIgnoreCase("true") || str.equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(str);
            }
            throw new InvalidInputException(file + ": parameters." + name + " must be true or false, got " + v);
        });
    }

    @Override
    public String label(ParameterDef def, int adapter) {
        if (adapter >= 0 && perModel.get(adapter).containsKey(def.name())) {
            return file + ": models[" + adapter + "].parameters." + def.name();
        }
        return file + ": parameters." + def.name();
    }
}
