package dev.concord.adapter;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes a PEFT adapter directory: adapter_config.json and adapter_model.safetensors with keys
 * {@code base_model.model.<module>.lora_A.weight} / {@code .lora_B.weight} (or {@code lora_embedding_A/B}), which
 * PEFT's {@code PeftModel.from_pretrained} loads.
 *
 * <p>The directory appears atomically: everything is written into a temporary directory beside the target, which
 * is renamed into place only when complete, so a failure never leaves a half-written adapter under the target name.
 * Output is deterministic: tensors ordered as the safetensors library orders them (wider dtypes first, then by
 * name), metadata {@code {"format": "pt"}}, no timestamps; the same input always gives the same bytes.
 */
public final class AdapterWriter {
    static final Map<String, String> DEFAULT_METADATA = Map.of("format", "pt");

    private AdapterWriter() {}

    /** Writes a new adapter directory; refuses to replace an existing non-empty directory. */
    public static void write(Path dir, LoraConfig config, List<ModuleFactors> modules) {
        write(dir, config, modules, false);
    }

    /**
     * Writes an adapter directory.
     *
     * @param config must give every module the rank of its factors ({@code r} / rank_pattern) and its intended
     *     alpha; build one with {@link LoraConfig.Builder#perModule}
     * @param replaceExisting replace a non-empty existing directory (the old one is moved aside, then deleted)
     * @throws InvalidInputException if the modules and the config disagree, or the target exists and may not be replaced
     */
    public static void write(Path dir, LoraConfig config, List<ModuleFactors> modules, boolean replaceExisting) {
        write(dir, config, modules, List.of(), DEFAULT_METADATA, replaceExisting);
    }

    /** A tensor carried over unchanged from a loaded adapter (a modules_to_save copy or a saved embedding). */
    record CarriedTensor(String key, DType dtype, long[] shape, Supplier<MemorySegment> bytes) {}

    private record Entry(TensorSpec spec, Consumer<SafetensorsWriter> body) {}

    static void write(Path dir, LoraConfig config, List<ModuleFactors> modules, List<CarriedTensor> carried,
            Map<String, String> metadata, boolean replaceExisting) {
        config.unsupportedReason().ifPresent(reason -> {
            throw new UnsupportedFeatureException("cannot write " + dir + ": " + reason);
        });
        List<Entry> entries = entries(config, modules, carried, dir);
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) {
            throw new InvalidInputException(dir + ": cannot write an adapter to the file system root");
        }
        checkTarget(target, replaceExisting);
        Path temp = null;
        try {
            Files.createDirectories(parent);
            temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            writeText(temp.resolve(PeftLayout.CONFIG_FILE), config.toJson());
            List<TensorSpec> specs = entries.stream().map(Entry::spec).toList();
            try (SafetensorsWriter w = SafetensorsWriter.open(temp.resolve(PeftLayout.WEIGHTS_FILE), specs, metadata)) {
                for (Entry e : entries) {
                    e.body().accept(w);
                }
                w.commit();
            }
            dev.concord.io.Permissions.makeShareable(temp);
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new ConcordException("cannot write adapter " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteRecursively(temp);
            }
        }
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

    private static void checkTarget(Path target, boolean replaceExisting) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new InvalidInputException(target + " exists and is not a directory");
        }
        if (!replaceExisting && !isEmptyDirectory(target)) {
            throw new InvalidInputException(target + " already exists and is not empty (choose another output "
                    + "directory or allow replacing it)");
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

    /** Renames the finished directory onto the target; an existing target is moved aside first, then deleted. */
    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        Path aside = null;
        if (Files.exists(target)) {
            if (isEmptyDirectory(target)) {
                Files.delete(target);
            } else {
                aside = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
                Files.delete(aside);
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (aside != null) {
                // put the previous adapter back rather than leave nothing under the target name
                Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (aside != null) {
            deleteRecursively(aside);
        }
    }

    static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort: what is left is a dot-named temporary directory, harmless and recognisable
        }
    }
}
