package dev.concord.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A PEFT LoRA adapter_config.json: the fields Concord interprets, typed and validated, plus the whole JSON object as
 * read, so that fields Concord does not interpret ({@code lora_dropout}, {@code init_lora_weights},
 * {@code revision}, …) survive a load and save unchanged.
 *
 * <p>Rank, alpha and scaling are per module, resolved as PEFT resolves them: the first key of rank_pattern (and of
 * alpha_pattern), in file order, that matches the module name as the Python regex {@code (.*\.)?(KEY)$} from the
 * start of the name; otherwise {@code r} and {@code lora_alpha}. Scaling is {@code alpha / r}, or
 * {@code alpha / sqrt(r)} with {@code use_rslora}.
 *
 * <p>Instances are immutable; {@link #toBuilder()} derives new ones.
 */
public final class LoraConfig {
    public static final String FILE_NAME = "adapter_config.json";
    static final String ALL_LINEAR = "all-linear";
    /** PEFT's EMBEDDING_LAYER_NAMES: the input embedding and the output layer of a causal LM. */
    static final List<String> EMBEDDING_LAYER_NAMES = List.of("embed_tokens", "lm_head");
    static final int DEFAULT_R = 8;
    static final double DEFAULT_ALPHA = 8;

    private final ObjectNode json;
    private final String peftType;
    private final int r;
    private final double loraAlpha;
    private final boolean useRslora;
    private final SequencedMap<String, Integer> rankPattern;
    private final SequencedMap<String, Double> alphaPattern;
    private final List<Pattern> rankKeys;
    private final List<Pattern> alphaKeys;
    private final ModuleSelector targetModules;
    private final ModuleSelector excludeModules;
    private final List<Integer> layersToTransform;
    private final List<String> layersPattern;
    private final boolean fanInFanOut;
    private final String baseModelNameOrPath;
    private final String bias;
    private final List<String> modulesToSave;
    private final boolean useDora;
    private final String taskType;
    private final boolean loraBias;
    private final List<String> targetParameters;
    private final boolean layerReplication;
    private final TargetRule targetRule;

    private LoraConfig(ObjectNode json, String where) {
        ConfigReader in = new ConfigReader(json, where);
        this.json = json;
        if (!in.isSet("peft_type")) {
            throw new InvalidInputException(where + ": no peft_type (expected \"LORA\")");
        }
        this.peftType = in.string("peft_type");
        this.r = in.positiveInt("r", DEFAULT_R);
        this.loraAlpha = in.finiteNumber("lora_alpha", DEFAULT_ALPHA);
        this.useRslora = in.bool("use_rslora", false);
        this.rankPattern = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(in.intMap("rank_pattern")));
        this.alphaPattern = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(in.numberMap("alpha_pattern")));
        this.rankKeys = compileKeys(rankPattern.keySet().stream().toList(), where + ": rank_pattern key");
        this.alphaKeys = compileKeys(alphaPattern.keySet().stream().toList(), where + ": alpha_pattern key");
        this.targetModules = in.selector("target_modules", true);
        this.excludeModules = in.selector("exclude_modules", false);
        List<Integer> layers = in.intOrList("layers_to_transform");
        this.layersToTransform = layers == null ? List.of() : layers;
        List<String> patterns = in.stringOrList("layers_pattern");
        this.layersPattern = patterns == null ? List.of() : patterns;
        this.fanInFanOut = in.bool("fan_in_fan_out", false);
        this.baseModelNameOrPath = in.string("base_model_name_or_path");
        this.bias = in.isSet("bias") ? in.string("bias") : "none";
        if (!List.of("none", "all", "lora_only").contains(bias)) {
            throw in.bad("bias", "one of \"none\", \"all\", \"lora_only\"");
        }
        this.modulesToSave = in.stringList("modules_to_save");
        this.useDora = in.bool("use_dora", false);
        this.taskType = in.string("task_type");
        this.loraBias = in.bool("lora_bias", false);
        this.targetParameters = in.stringList("target_parameters");
        this.layerReplication = in.isSet("layer_replication");
        checkPeftConsistency(in, layers, patterns);
        this.targetRule = new TargetRule(targetModules, excludeModules, modulesToSave,
                targetParameters != null && !targetParameters.isEmpty(), layersToTransform, layersPattern, where);
    }

    /** The combinations PEFT's LoraConfig itself refuses when it loads a config. */
    private void checkPeftConsistency(ConfigReader in, List<Integer> layers, List<String> patterns) {
        boolean targetIsString = targetModules instanceof ModuleSelector.Regex
                || targetModules instanceof ModuleSelector.AllLinear;
        if (targetIsString && layers != null) {
            throw new InvalidInputException(in.where()
                    + ": layers_to_transform cannot be used when target_modules is a string (PEFT refuses this)");
        }
        if (targetIsString && patterns != null) {
            throw new InvalidInputException(in.where()
                    + ": layers_pattern cannot be used when target_modules is a string (PEFT refuses this)");
        }
        // PEFT tests `layers_pattern and not layers_to_transform`, so an empty list and the integer 0 count as unset
        JsonNode rawLayers = in.raw("layers_to_transform");
        boolean layersFalsy = layers == null || layers.isEmpty()
                || (rawLayers != null && rawLayers.isIntegralNumber() && rawLayers.intValue() == 0);
        if (patterns != null && !patterns.isEmpty() && layersFalsy) {
            throw new InvalidInputException(in.where()
                    + ": layers_pattern is set but layers_to_transform is not (PEFT refuses this)");
        }
    }

    private static List<Pattern> compileKeys(List<String> keys, String where) {
        List<Pattern> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            // PEFT's get_pattern_key: re.match(rf"(.*\.)?({key})$", module)
            try {
                out.add(Pattern.compile("(.*\\.)?(" + PythonRegex.toJava(k) + ")$"));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new InvalidInputException(where + " " + ConfigReader.quoted(k)
                        + " is not a valid regular expression (" + e.getDescription() + ")");
            }
        }
        return List.copyOf(out);
    }

    /** Parses adapter_config.json text; {@code where} names the source in error messages. */
    public static LoraConfig parse(String text, String where) {
        JsonNode root;
        try {
            root = ConfigJson.MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            // Jackson reports some malformed numbers (exponent overflow) as NumberFormatException
            throw new InvalidInputException(where + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidInputException(where + ": empty, expected a JSON object");
        }
        if (!root.isObject()) {
            throw new InvalidInputException(where + ": must hold a JSON object");
        }
        return new LoraConfig(((ObjectNode) root).deepCopy(), where);
    }

    /** Reads and parses an adapter_config.json file. */
    public static LoraConfig read(Path file) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidInputException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text, file.toString());
    }

    /** The config as JSON text in PEFT's layout (two-space indent); equal configs give equal text. */
    public String toJson() {
        return ConfigJson.write(json);
    }

    /** A copy of the whole JSON object, including the fields Concord does not interpret. */
    public ObjectNode json() {
        return json.deepCopy();
    }

    // ---- per-module resolution -------------------------------------------------------------------------------

    /** The rank PEFT gives this module: the first matching rank_pattern key, else {@code r}. */
    public int rankFor(String module) {
        return patternValue(rankPattern, rankKeys, module, r);
    }

    /** The alpha PEFT gives this module: the first matching alpha_pattern key, else {@code lora_alpha}. */
    public double alphaFor(String module) {
        return patternValue(alphaPattern, alphaKeys, module, loraAlpha);
    }

    /** {@code alpha / r}, or {@code alpha / sqrt(r)} with use_rslora, with this module's rank and alpha. */
    public double scalingFor(String module) {
        int rank = rankFor(module);
        double alpha = alphaFor(module);
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** The rank_pattern key that applies to this module, if any. */
    public Optional<String> rankPatternKeyFor(String module) {
        return matchingKey(rankPattern, rankKeys, module);
    }

    /** The alpha_pattern key that applies to this module, if any. */
    public Optional<String> alphaPatternKeyFor(String module) {
        return matchingKey(alphaPattern, alphaKeys, module);
    }

    private static <V> V patternValue(SequencedMap<String, V> map, List<Pattern> keys, String module, V fallback) {
        return matchingKey(map, keys, module).map(map::get).orElse(fallback);
    }

    private static <V> Optional<String> matchingKey(SequencedMap<String, V> map, List<Pattern> keys, String module) {
        int i = 0;
        for (String key : map.keySet()) {
            if (keys.get(i++).matcher(module).lookingAt()) {
                return Optional.of(key);
            }
        }
        // get_pattern_key falls back to the module name itself, which then is looked up literally
        return map.containsKey(module) ? Optional.of(module) : Optional.empty();
    }

    /**
     * Whether PEFT would put an adapter on a module of this name (its {@code check_target_module_exists}):
     * <ol>
     *   <li>exclude_modules: a regex string the whole name matches, or a list entry equal to the name or a
     *       {@code "." + entry} suffix of it, excludes the module;</li>
     *   <li>a module named (or nested in one named) by modules_to_save is excluded;</li>
     *   <li>target_modules as a regex string must match the whole name ({@code re.fullmatch});</li>
     *   <li>as a list: a name equal to an entry is targeted outright; a name ending in {@code "." + entry} is
     *       targeted if its layer index (see {@link LayerIndex}) is in layers_to_transform, when that is given;</li>
     *   <li>{@code "all-linear"}: every module except {@code embed_tokens} and {@code lm_head} (an approximation:
     *       PEFT decides by layer type on the live model);</li>
     *   <li>no target_modules recorded: every module (PEFT then used its per-architecture defaults, which the
     *       config does not name), unless target_parameters is set.</li>
     * </ol>
     */
    public boolean matchesTarget(String module) {
        return targetRule.matches(module);
    }

    // ---- refusals a loader needs ------------------------------------------------------------------------------

    /** The first reason Concord cannot use this adapter, as one line, or empty if there is none. */
    Optional<String> unsupportedReason() {
        if (!"LORA".equals(peftType)) {
            return Optional.of("peft_type is " + ConfigReader.quoted(peftType) + "; Concord reads LoRA adapters (peft_type \"LORA\") only");
        }
        if (useDora) {
            return Optional.of("use_dora is true: DoRA adapters are not supported (their magnitude vectors make the "
                    + "update non-linear in the base weight)");
        }
        if (!"none".equals(bias)) {
            return Optional.of("bias is " + ConfigReader.quoted(bias) + ": adapters that train biases are not supported (only \"none\")");
        }
        if (loraBias) {
            return Optional.of("lora_bias is true: LoRA factors with a bias term are not supported");
        }
        if (targetParameters != null && !targetParameters.isEmpty()) {
            return Optional.of("target_parameters is set: LoRA on bare parameters (e.g. MoE experts) is not supported");
        }
        if (layerReplication) {
            return Optional.of("layer_replication is set: adapters for replicated layers do not map onto the base "
                    + "model's layers");
        }
        return Optional.empty();
    }

    // ---- accessors ------------------------------------------------------------------------------------------

    public String peftType() {
        return peftType;
    }

    public int r() {
        return r;
    }

    public double loraAlpha() {
        return loraAlpha;
    }

    public boolean useRslora() {
        return useRslora;
    }

    /** Pattern → rank in file order (the order decides which pattern wins). */
    public SequencedMap<String, Integer> rankPattern() {
        return rankPattern;
    }

    /** Pattern → alpha in file order. */
    public SequencedMap<String, Double> alphaPattern() {
        return alphaPattern;
    }

    /** Empty when the config does not record its targets. */
    public Optional<ModuleSelector> targetModules() {
        return Optional.ofNullable(targetModules);
    }

    public Optional<ModuleSelector> excludeModules() {
        return Optional.ofNullable(excludeModules);
    }

    /** Layer indices the adapter was restricted to; empty means all layers (PEFT treats null and [] alike). */
    public List<Integer> layersToTransform() {
        return layersToTransform;
    }

    /** Names of the layer list(s), e.g. {@code layers}; empty means any. */
    public List<String> layersPattern() {
        return layersPattern;
    }

    /**
     * True for layers that store their weight as [in, out] (GPT-2's Conv1D). The task vectors of such modules are
     * then [in, out] too; see {@link LoraModule#taskVector()}.
     */
    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    public Optional<String> baseModelNameOrPath() {
        return Optional.ofNullable(baseModelNameOrPath);
    }

    /** "none", "all" or "lora_only". */
    public String bias() {
        return bias;
    }

    /** Modules trained in full and saved beside the adapter, when the config names any. */
    public Optional<List<String>> modulesToSave() {
        return Optional.ofNullable(modulesToSave);
    }

    public boolean useDora() {
        return useDora;
    }

    public Optional<String> taskType() {
        return Optional.ofNullable(taskType);
    }

    public Builder toBuilder() {
        return new Builder(json.deepCopy());
    }

    /** A builder for a fresh config with PEFT's defaults (r 8, lora_alpha 8, bias "none", …). */
    public static Builder builder() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("peft_type", "LORA");
        o.putNull("task_type");
        o.putNull("base_model_name_or_path");
        o.put("r", DEFAULT_R);
        o.put("lora_alpha", (int) DEFAULT_ALPHA);
        o.put("use_rslora", false);
        o.putNull("target_modules");
        o.putNull("exclude_modules");
        o.putObject("rank_pattern");
        o.putObject("alpha_pattern");
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("use_dora", false);
        o.putNull("modules_to_save");
        o.putNull("layers_to_transform");
        o.putNull("layers_pattern");
        o.put("lora_dropout", 0.0);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        return new Builder(o);
    }

    /**
     * Edits the JSON object field by field; {@link #build()} validates the result exactly as a file would be
     * validated, so a built config and the same config read back from disk are equal.
     */
    public static final class Builder {
        private final ObjectNode json;

        private Builder(ObjectNode json) {
            this.json = json;
        }

        public Builder r(int r) {
            json.put("r", r);
            return this;
        }

        /** Written as a JSON integer when whole (PEFT's usual spelling), otherwise as a float. */
        public Builder loraAlpha(double alpha) {
            putNumber(json, "lora_alpha", alpha);
            return this;
        }

        public Builder useRslora(boolean v) {
            json.put("use_rslora", v);
            return this;
        }

        public Builder rankPattern(SequencedMap<String, Integer> pattern) {
            ObjectNode o = json.putObject("rank_pattern");
            pattern.forEach(o::put);
            return this;
        }

        public Builder alphaPattern(SequencedMap<String, Double> pattern) {
            ObjectNode o = json.putObject("alpha_pattern");
            pattern.forEach((k, v) -> putNumber(o, k, v));
            return this;
        }

        /** A list of names, a regex or all-linear; {@code null} writes JSON null. */
        public Builder targetModules(ModuleSelector selector) {
            putSelector("target_modules", selector);
            return this;
        }

        public Builder excludeModules(ModuleSelector selector) {
            putSelector("exclude_modules", selector);
            return this;
        }

        /** {@code null} or an empty list: all layers. */
        public Builder layersToTransform(List<Integer> layers) {
            if (layers == null) {
                json.putNull("layers_to_transform");
            } else {
                ArrayNode a = json.putArray("layers_to_transform");
                layers.forEach(a::add);
            }
            return this;
        }

        public Builder layersPattern(List<String> patterns) {
            putStrings("layers_pattern", patterns);
            return this;
        }

        public Builder fanInFanOut(boolean v) {
            json.put("fan_in_fan_out", v);
            return this;
        }

        public Builder baseModelNameOrPath(String v) {
            json.put("base_model_name_or_path", v);
            return this;
        }

        public Builder bias(String v) {
            json.put("bias", v);
            return this;
        }

        public Builder modulesToSave(List<String> modules) {
            putStrings("modules_to_save", modules);
            return this;
        }

        public Builder useDora(boolean v) {
            json.put("use_dora", v);
            return this;
        }

        public Builder taskType(String v) {
            json.put("task_type", v);
            return this;
        }

        /**
         * Sets r, lora_alpha, rank_pattern and alpha_pattern so that each module gets exactly the given rank and
         * alpha: r and lora_alpha become the most common values (ties: the smallest) and every other module gets a
         * pattern entry under its full name, in name order. Existing patterns are replaced. Full names are
         * anchored ({@code ^name}, which current PEFT matches as the exact name only) only if a plain name would also match
         * another module.
         *
         * @throws IllegalArgumentException if the two maps name different modules or a value is invalid
         */
        public Builder perModule(Map<String, Integer> ranks, Map<String, Double> alphas) {
            if (!ranks.keySet().equals(alphas.keySet()) || ranks.isEmpty()) {
                throw new IllegalArgumentException("ranks and alphas must name the same, non-empty set of modules");
            }
            int defaultR = mostCommon(ranks.values());
            double defaultAlpha = mostCommon(alphas.values());
            List<String> names = new ArrayList<>(new TreeMap<>(ranks).keySet());
            for (boolean anchored : new boolean[] {false, true}) {
                SequencedMap<String, Integer> rp = new LinkedHashMap<>();
                SequencedMap<String, Double> ap = new LinkedHashMap<>();
                for (String m : names) {
                    String key = anchored ? "^" + m.replace(".", "\\.") : m;
                    if (ranks.get(m) != defaultR) {
                        rp.put(key, ranks.get(m));
                    }
                    if (alphas.get(m) != defaultAlpha) {
                        ap.put(key, alphas.get(m));
                    }
                }
                r(defaultR).loraAlpha(defaultAlpha).rankPattern(rp).alphaPattern(ap);
                LoraConfig check = build();
                if (names.stream().allMatch(m -> check.rankFor(m) == ranks.get(m)
                        && check.alphaFor(m) == alphas.get(m))) {
                    return this;
                }
            }
            throw new IllegalArgumentException("no rank/alpha patterns reproduce the requested per-module values");
        }

        private static <T extends Comparable<T>> T mostCommon(java.util.Collection<T> values) {
            Map<T, Integer> counts = new TreeMap<>();
            values.forEach(v -> counts.merge(v, 1, Integer::sum));
            T best = null;
            for (var e : counts.entrySet()) {
                if (best == null || e.getValue() > counts.get(best)) {
                    best = e.getKey();
                }
            }
            return best;
        }

        /** Sets any other field (e.g. {@code lora_dropout}); {@code null} removes it. */
        public Builder field(String name, JsonNode value) {
            if (value == null) {
                json.remove(name);
            } else {
                json.set(name, value.deepCopy());
            }
            return this;
        }

        public LoraConfig build() {
            // through text, so that number nodes come out exactly as a parser makes them (int vs long, …)
            return parse(ConfigJson.write(json), "adapter config");
        }

        private void putSelector(String field, ModuleSelector selector) {
            switch (selector) {
                case null -> json.putNull(field);
                case ModuleSelector.Names n -> putStrings(field, n.names());
                case ModuleSelector.Regex rx -> json.put(field, rx.pattern());
                case ModuleSelector.AllLinear a -> json.put(field, a.spelling());
            }
        }

        private void putStrings(String field, List<String> values) {
            if (values == null) {
                json.putNull(field);
            } else {
                ArrayNode a = json.putArray(field);
                values.forEach(a::add);
            }
        }

        private static void putNumber(ObjectNode o, String field, double v) {
            if (v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE) {
                o.put(field, (int) v);
            } else {
                o.put(field, v);
            }
        }
    }

    // ---- identity -------------------------------------------------------------------------------------------

    /**
     * Equal when the JSON objects are equal and the pattern maps list their keys in the same order (JSON object
     * equality ignores order, but pattern order decides which pattern wins).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof LoraConfig c && c.json.equals(json)
                && List.copyOf(c.rankPattern.keySet()).equals(List.copyOf(rankPattern.keySet()))
                && List.copyOf(c.alphaPattern.keySet()).equals(List.copyOf(alphaPattern.keySet()));
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return "LoraConfig[r=" + r + ", lora_alpha=" + loraAlpha + (useRslora ? ", rslora" : "")
                + (rankPattern.isEmpty() ? "" : ", rank_pattern=" + rankPattern)
                + (alphaPattern.isEmpty() ? "" : ", alpha_pattern=" + alphaPattern)
                + ", target_modules=" + targetModules + "]";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
