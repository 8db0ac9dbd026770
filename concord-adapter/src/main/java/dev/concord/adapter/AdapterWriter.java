package dev.concord.adapter;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.io.AtomicDirectory;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes a PEFT adapter directory: adapter_config.json and adapter_model.safetensors with keys
 * {@code base_model.model.<module>.lora_A.weight} / {@code .lora_B.weight} (or {@code lora_embedding_A/B}), which
 * PEFT's {@code PeftModel.from_pretrained} loads.
 *
 * <p>The directory appears atomically, with {@link AtomicDirectory}'s rules: the target must not exist (not even
 * as an empty directory) unless replacing is allowed; everything is written into a hidden temporary directory
 * beside it, which is renamed into place only when complete; an existing directory that is being replaced stays
 * intact until then. After a failure nothing is left under the target name (or the old directory is still
 * there). Callers that assemble a larger output directory themselves (an adapter plus a report) stage it with
 * their own {@code AtomicDirectory} and call {@link #writeInto}.
 *
 * <p>Output is deterministic: tensors ordered as the safetensors library orders them (wider dtypes first, then by
 * name), {@code __metadata__} with {@code "format": "pt"} first and the other keys sorted, no timestamps; the same
 * input always gives the same bytes.
 */
public final class AdapterWriter {
    /** The {@code __metadata__} key that PyTorch-side loaders (transformers) read; always written. */
    public static final String FORMAT_KEY = "format";
    static final Map<String, String> DEFAULT_METADATA = Map.of(FORMAT_KEY, "pt");

    private AdapterWriter() {}

    /** Writes a new adapter directory; refuses an existing one (even an empty one). */
    public static void write(Path dir, LoraConfig config, List<ModuleFactors> modules) {
        write(dir, config, modules, false);
    }

    /**
     * Writes an adapter directory.
     *
     * @param config must give every module the rank of its factors ({@code r} / rank_pattern) and its intended
     *     alpha; build one with {@link LoraConfig.Builder#perModule}
     * @param replaceExisting replace an existing directory; the old one is removed only once the new one is complete
     * @throws InvalidInputException if the modules and the config disagree, or the target exists and may not be replaced
     */
    public static void write(Path dir, LoraConfig config, List<ModuleFactors> modules, boolean replaceExisting) {
        write(dir, config, modules, DEFAULT_METADATA, replaceExisting);
    }

    /**
     * As {@link #write(Path, LoraConfig, List, boolean)}, with extra safetensors {@code __metadata__} entries
     * (string values, e.g. a JSON document as a string). {@code "format"} defaults to {@code "pt"}.
     */
    public static void write(Path dir, LoraConfig config, List<ModuleFactors> modules, Map<String, String> metadata,
            boolean replaceExisting) {
        write(dir, config, modules, List.of(), metadata, replaceExisting);
    }

    /**
     * Writes adapter_config.json and adapter_model.safetensors into {@code directory}, an existing directory that
     * the caller publishes atomically itself (typically {@link AtomicDirectory#staging()}); neither file may exist
     * there yet. Checks and ordering are those of {@link #write(Path, LoraConfig, List, Map, boolean)}.
     */
    public static void writeInto(Path directory, LoraConfig config, List<ModuleFactors> modules,
            Map<String, String> metadata) {
        checkConfig(directory, config);
        List<Entry> entries = entries(config, modules, List.of(), directory);
        Map<String, String> ordered = orderedMetadata(metadata);
        if (!Files.isDirectory(directory)) {
            throw new InvalidInputException(directory + ": not a directory to write an adapter into");
        }
        writeFiles(directory, config, entries, ordered);
    }

    /** A tensor carried over unchanged from a loaded adapter (a modules_to_save copy or a saved embedding). */
    record CarriedTensor(String key, DType dtype, long[] shape, Supplier<MemorySegment> bytes) {}

    private record Entry(TensorSpec spec, Consumer<SafetensorsWriter> body) {}

    static void write(Path dir, LoraConfig config, List<ModuleFactors> modules, List<CarriedTensor> carried,
            Map<String, String> metadata, boolean replaceExisting) {
        checkConfig(dir, config);
        // everything that can be refused is refused before the staging directory exists
        List<Entry> entries = entries(config, modules, carried, dir);
        Map<String, String> ordered = orderedMetadata(metadata);
        Path target = dir.toAbsolutePath().normalize();
        if (target.getParent() == null) {
            throw new InvalidInputException(dir + ": cannot write an adapter to the file system root");
        }
        checkTarget(target, replaceExisting);
        try (AtomicDirectory out = AtomicDirectory.create(target, replaceExisting)) {
            writeFiles(out.staging(), config, entries, ordered);
            out.commit();
        }
    }

    private static void checkConfig(Path dir, LoraConfig config) {
        config.unsupportedReason().ifPresent(reason -> {
            throw new UnsupportedFeatureException("cannot write " + dir + ": " + reason);
        });
    }

    private static void writeFiles(Path directory, LoraConfig config, List<Entry> entries, Map<String, String> metadata) {
        try {
            writeText(directory.resolve(PeftLayout.CONFIG_FILE), config.toJson());
        } catch (IOException e) {
            throw new ConcordException("cannot write " + directory.resolve(PeftLayout.CONFIG_FILE) + ": "
                    + e.getMessage(), e);
        }
        List<TensorSpec> specs = entries.stream().map(Entry::spec).toList();
        try (SafetensorsWriter w = SafetensorsWriter.open(directory.resolve(PeftLayout.WEIGHTS_FILE), specs, metadata)) {
            for (Entry e : entries) {
                e.body().accept(w);
            }
            w.commit();
        }
    }

    /** "format" first ("pt" unless given), then the other keys sorted: the same map always gives the same header. */
    private static Map<String, String> orderedMetadata(Map<String, String> metadata) {
        Map<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new InvalidInputException("safetensors metadata needs string keys and values, got "
                        + e.getKey() + "=" + e.getValue());
            }
            sorted.put(e.getKey(), e.getValue());
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put(FORMAT_KEY, sorted.getOrDefault(FORMAT_KEY, DEFAULT_METADATA.get(FORMAT_KEY)));
        sorted.forEach((k, v) -> ordered.putIfAbsent(k, v));
        return ordered;
    }

    private static List<Entry> entries(LoraConfig config, List<ModuleFactors> modules, List<CarriedTensor> carried,
            Path dir) {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ModuleFactors m : modules) {
            if (!seen.add(m.module())) {
                throw new InvalidInputException("cannot write " + dir + ": module '" + m.module() + "' given twice");
            }
            int expected = config.rankFor(m.module());
            if (expected != m.rank()) {
                throw new InvalidInputException("cannot write " + dir + ": module '" + m.module() + "' has rank "
                        + m.rank() + " but the config gives it rank " + expected + " (set r / rank_pattern to match)");
            }
            entries.add(new Entry(new TensorSpec(PeftLayout.key(m.module(), m.kind(), PeftLayout.Factor.A), m.dtype(),
                    m.shapeA()), m::writeA));
            entries.add(new Entry(new TensorSpec(PeftLayout.key(m.module(), m.kind(), PeftLayout.Factor.B), m.dtype(),
                    m.shapeB()), m::writeB));
        }
        for (CarriedTensor t : carried) {
            entries.add(new Entry(new TensorSpec(t.key(), t.dtype(), t.shape()),
                    w -> w.writeBytes(t.bytes().get().asByteBuffer())));
        }
        Set<String> keys = new HashSet<>();
        for (Entry e : entries) {
            if (!keys.add(e.spec().name())) {
                throw new InvalidInputException("cannot write " + dir + ": tensor '" + e.spec().name() + "' twice");
            }
        }
        // the order safetensors' own serializer uses: dtypes in reverse declaration order, then by name
        entries.sort(Comparator.comparingInt((Entry e) -> -SAFETENSORS_DTYPE_ORDER.indexOf(e.spec().dtype().name()))
                .thenComparing(e -> e.spec().name()));
        return entries;
    }

    /** The declaration order of the safetensors library's Dtype enum, which its serializer sorts by (descending). */
    private static final List<String> SAFETENSORS_DTYPE_ORDER = List.of("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64");

    /**
     * The same rule as {@link AtomicDirectory#create}, checked first so that a library caller gets a message in
     * its own terms rather than the command line's --out / --force.
     */
    private static void checkTarget(Path target, boolean replaceExisting) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new InvalidInputException(target + " exists and is not a directory");
        }
        if (!replaceExisting) {
            throw new InvalidInputException(target + (isEmptyDirectory(target) ? " already exists (an empty "
                    + "directory: remove it, " : " already exists and is not empty (")
                    + "choose another output directory or allow replacing it)");
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            throw new ConcordException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }
}
