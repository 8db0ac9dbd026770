package dev.concord.adapter;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A PEFT LoRA adapter directory opened for reading: the parsed {@link LoraConfig} and one {@link LoraModule} per
 * adapted layer, sorted by module name. adapter_model.safetensors stays memory-mapped until {@link #close()}; the
 * factors are read from the map on demand, never all at once.
 *
 * <p>{@link #load} validates everything before returning: the config, every key, the A/B pairing, shapes against
 * the per-module rank, and dtypes. It refuses, with one line saying why, what Concord cannot represent exactly:
 * non-LoRA PEFT types, DoRA, bias training, LoRA biases, pickle-only adapters.
 *
 * <p>Tensors of modules listed in modules_to_save (fully trained copies, e.g. a new {@code lm_head}) and embedding
 * layers PEFT saved after a vocabulary resize are not LoRA factors; they are carried: kept byte for byte by
 * {@link #save}, reported by {@link #carriedTensors()}, and commands that cannot carry them call
 * {@link #requireNoModulesToSave(String)}.
 */
public final class LoraAdapter implements AutoCloseable {
    public static final String CONFIG_FILE = PeftLayout.CONFIG_FILE;
    public static final String WEIGHTS_FILE = PeftLayout.WEIGHTS_FILE;

    private final Path directory;
    private final LoraConfig config;
    private final SafetensorsFile file;
    private final SequencedMap<String, LoraModule> modules;
    private final List<String> carried;

    private LoraAdapter(Path directory, LoraConfig config, SafetensorsFile file, SequencedMap<String, LoraModule> modules,
            List<String> carried) {
        this.directory = directory;
        this.config = config;
        this.file = file;
        this.modules = modules;
        this.carried = carried;
    }

    /**
     * Opens and validates a PEFT adapter directory.
     *
     * @throws InvalidInputException for a missing or malformed file, or factors inconsistent with the config
     * @throws UnsupportedFeatureException for a well-formed adapter Concord cannot use exactly
     */
    public static LoraAdapter load(Path dir) {
        if (!Files.exists(dir)) {
            throw new InvalidInputException(dir + ": no such adapter directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + ": not a directory (an adapter is a directory holding "
                    + CONFIG_FILE + " and " + WEIGHTS_FILE + ")");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new InvalidInputException(dir + ": no " + CONFIG_FILE + " (not a PEFT adapter directory)");
        }
        LoraConfig config = LoraConfig.read(configFile);
        config.unsupportedReason().ifPresent(reason -> {
            throw new UnsupportedFeatureException(configFile + ": " + reason);
        });
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            if (Files.exists(dir.resolve(PeftLayout.PICKLE_FILE))) {
                throw new UnsupportedFeatureException(dir + ": only " + PeftLayout.PICKLE_FILE
                        + " (a Python pickle) is present; Concord never unpickles. Re-save the adapter with PEFT's "
                        + "save_pretrained(..., safe_serialization=True) to get " + WEIGHTS_FILE);
            }
            throw new InvalidInputException(dir + ": no " + WEIGHTS_FILE);
        }
        SafetensorsFile file = SafetensorsFile.open(weights);
        try {
            return validate(dir, config, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static LoraAdapter validate(Path dir, LoraConfig config, SafetensorsFile file) {
        String where = file.path().toString();
        List<Pattern> saved = config.modulesToSave().orElse(List.of()).stream()
                .map(m -> PythonRegex.compile("(^|.*\\.)" + m + "($|\\..*)", where + ": modules_to_save"))
                .toList();
        Map<String, Map<PeftLayout.Factor, TensorEntry>> pairs = new TreeMap<>();
        Map<String, ModuleKind> kinds = new TreeMap<>();
        List<String> carried = new ArrayList<>();
        for (TensorEntry e : file.tensors()) {
            String key = e.name();
            PeftLayout.ParsedKey parsed = PeftLayout.parse(key);
            if (parsed == null) {
                if (isCarried(key, saved)) {
                    carried.add(key);
                    continue;
                }
                throw refusalFor(where, key);
            }
            ModuleKind previous = kinds.putIfAbsent(parsed.module(), parsed.kind());
            if (previous != null && previous != parsed.kind()) {
                throw new InvalidInputException(where + ": module '" + parsed.module()
                        + "' has both linear (lora_A/lora_B) and embedding (lora_embedding_A/B) factors");
            }
            pairs.computeIfAbsent(parsed.module(), k -> new EnumMap<>(PeftLayout.Factor.class))
                    .put(parsed.factor(), e);
        }
        SequencedMap<String, LoraModule> modules = new TreeMap<>();
        for (var pair : pairs.entrySet()) {
            String module = pair.getKey();
            modules.put(module, module(where, config, file, module, kinds.get(module), pair.getValue()));
        }
        return new LoraAdapter(dir, config, file, Collections.unmodifiableSequencedMap(modules), List.copyOf(carried));
    }

    /** modules_to_save copies and the embedding layers PEFT saves after a vocabulary resize. */
    private static boolean isCarried(String key, List<Pattern> modulesToSave) {
        if (!key.startsWith(PeftLayout.PREFIX) || key.contains("lora_")) {
            return false;
        }
        String rest = key.substring(PeftLayout.PREFIX.length());
        for (Pattern p : modulesToSave) {
            if (p.matcher(rest).lookingAt()) {
                return true;
            }
        }
        int lastDot = rest.lastIndexOf('.');
        if (lastDot < 0 || !rest.endsWith(".weight")) {
            return false;
        }
        String module = rest.substring(0, lastDot);
        return LoraConfig.EMBEDDING_LAYER_NAMES.contains(module.substring(module.lastIndexOf('.') + 1));
    }

    private static RuntimeException refusalFor(String where, String key) {
        if (key.contains(PeftLayout.DORA_MAGNITUDE)) {
            return new UnsupportedFeatureException(where + ": tensor '" + key
                    + "' is a DoRA magnitude vector; DoRA adapters are not supported");
        }
        if (key.contains("lora_") && key.endsWith(".bias")) {
            return new UnsupportedFeatureException(where + ": tensor '" + key
                    + "' is a LoRA bias (lora_bias); LoRA factors with a bias term are not supported");
        }
        if (key.endsWith(".bias")) {
            return new UnsupportedFeatureException(where + ": tensor '" + key
                    + "' is a trained bias; adapters that train biases are not supported");
        }
        return new InvalidInputException(where + ": unexpected tensor '" + key + "' (expected " + PeftLayout.PREFIX
                + "<module>.lora_A.weight / .lora_B.weight or .lora_embedding_A / .lora_embedding_B)");
    }

    private static LoraModule module(String where, LoraConfig config, SafetensorsFile file, String module,
            ModuleKind kind, Map<PeftLayout.Factor, TensorEntry> factors) {
        String keyA = PeftLayout.key(module, kind, PeftLayout.Factor.A);
        String keyB = PeftLayout.key(module, kind, PeftLayout.Factor.B);
        TensorEntry a = factors.get(PeftLayout.Factor.A);
        TensorEntry b = factors.get(PeftLayout.Factor.B);
        if (a == null || b == null) {
            throw new InvalidInputException(where + ": module '" + module + "' has '" + (a == null ? keyB : keyA)
                    + "' but no '" + (a == null ? keyA : keyB) + "'");
        }
        for (TensorEntry t : List.of(a, b)) {
            DType d = t.dtype();
            if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
                throw new InvalidInputException(where + ": tensor '" + t.name() + "' has dtype " + d
                        + "; LoRA factors must be F32, F16 or BF16");
            }
            if (t.rank() != 2) {
                throw new UnsupportedFeatureException(where + ": tensor '" + t.name() + "' has shape "
                        + t.shapeString() + "; only 2-D factors (linear and embedding LoRA) are supported, not "
                        + "convolution LoRA");
            }
            if (t.dim(0) <= 0 || t.dim(1) <= 0 || t.dim(0) > Integer.MAX_VALUE || t.dim(1) > Integer.MAX_VALUE) {
                throw new InvalidInputException(where + ": tensor '" + t.name() + "' has unusable shape "
                        + t.shapeString());
            }
        }
        if (a.dtype() != b.dtype()) {
            throw new InvalidInputException(where + ": module '" + module + "' stores A as " + a.dtype() + " but B as "
                    + b.dtype() + "; both factors must share one dtype");
        }
        int rankA = (int) a.dim(0);
        int rankB = (int) b.dim(1);
        if (rankA != rankB) {
            throw new InvalidInputException(where + ": module '" + module + "' has A " + a.shapeString() + " and B "
                    + b.shapeString() + ", whose ranks (" + rankA + " vs " + rankB + ") differ");
        }
        int rank = config.rankFor(module);
        if (rankA != rank) {
            String source = config.rankPatternKeyFor(module).map(k -> "rank_pattern['" + k + "']")
                    .orElse("r");
            throw new InvalidInputException(where + ": module '" + module + "' has rank " + rankA
                    + " but adapter_config.json gives it rank " + rank + " (" + source + ")");
        }
        return new LoraModule(module, kind, rank, config.alphaFor(module), config.scalingFor(module), (int) a.dim(1),
                (int) b.dim(0), a.dtype(), kind == ModuleKind.LINEAR && config.fanInFanOut(), file, keyA, keyB);
    }

    // ---- queries ----------------------------------------------------------------------------------------------

    public Path directory() {
        return directory;
    }

    public LoraConfig config() {
        return config;
    }

    /** All modules, sorted by name. */
    public List<LoraModule> modules() {
        return List.copyOf(modules.values());
    }

    public SequencedSet<String> moduleNames() {
        return modules.sequencedKeySet();
    }

    public Optional<LoraModule> module(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /** Modules that have factors in the file although the config's target rule would not select them. */
    public List<String> untargetedModules() {
        return modules.keySet().stream().filter(m -> !config.matchesTarget(m)).toList();
    }

    /** Layer indices (see {@link LayerIndex}) that at least one module belongs to. */
    public SortedSet<Integer> layers() {
        SortedSet<Integer> out = new TreeSet<>();
        for (LoraModule m : modules.values()) {
            m.layerIndex().ifPresent(out::add);
        }
        return Collections.unmodifiableSortedSet(out);
    }

    /** Trained LoRA values over all modules (carried full tensors not included). */
    public long parameterCount() {
        return modules.values().stream().mapToLong(LoraModule::parameterCount).sum();
    }

    /** Keys of full tensors carried beside the LoRA factors (modules_to_save copies, resized embeddings). */
    public List<String> carriedTensors() {
        return carried;
    }

    /** Whether the config names modules_to_save or the file carries full tensors. */
    public boolean hasModulesToSave() {
        return !carried.isEmpty() || config.modulesToSave().map(l -> !l.isEmpty()).orElse(false);
    }

    /**
     * For commands that work on LoRA factors only and would silently drop fully trained modules.
     *
     * @throws UnsupportedFeatureException if {@link #hasModulesToSave()}
     */
    public void requireNoModulesToSave(String command) {
        if (hasModulesToSave()) {
            String what = carried.isEmpty()
                    ? "modules_to_save " + config.modulesToSave().orElse(List.of())
                    : carried.size() + " full tensor(s) such as '" + carried.getFirst() + "'";
            throw new UnsupportedFeatureException(directory + ": the adapter also trains whole modules (" + what
                    + "), which " + command + " cannot carry over; it works on LoRA factors only");
        }
    }

    /** The safetensors {@code __metadata__} of adapter_model.safetensors. */
    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** Checks every factor for NaN and infinity; see {@link LoraModule#checkFinite()}. */
    public void checkFinite() {
        modules.values().forEach(LoraModule::checkFinite);
    }

    // ---- output -----------------------------------------------------------------------------------------------

    /**
     * Writes this adapter to a new directory: the same config JSON (unknown fields included), the same tensors
     * with the same dtypes and bytes, carried tensors and file metadata included.
     */
    public void save(Path dir) {
        save(dir, false);
    }

    /** As {@link #save(Path)}; {@code replaceExisting} allows replacing a non-empty directory. */
    public void save(Path dir, boolean replaceExisting) {
        List<ModuleFactors> factors = modules.values().stream().map(ModuleFactors::copyOf).toList();
        List<AdapterWriter.CarriedTensor> extra = carried.stream().map(key -> {
            TensorEntry e = file.entry(key);
            return new AdapterWriter.CarriedTensor(key, e.dtype(), e.shape(), () -> file.segment(key));
        }).toList();
        Map<String, String> metadata = file.metadata().isEmpty() ? AdapterWriter.DEFAULT_METADATA : file.metadata();
        AdapterWriter.write(dir, config, factors, extra, metadata, replaceExisting);
    }

    /** Unmaps the weights; modules of this adapter cannot be read afterwards. */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "LoraAdapter[" + directory + ", " + modules.size() + " modules, " + config + "]";
    }
}
