package dev.concord.tensor.checkpoint;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The weights of a Hugging Face checkpoint directory: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}. Each shard is opened (memory-mapped) once; tensors are looked up by
 * name across shards. Pickle checkpoints are refused, never unpickled.
 */
public final class CheckpointDirectory implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";

    private final Path dir;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> shards;
    private final Optional<WeightIndex> index;

    private CheckpointDirectory(Path dir, Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> shards,
            Optional<WeightIndex> index) {
        this.dir = dir;
        this.byTensor = Collections.unmodifiableMap(byTensor);
        this.shards = List.copyOf(shards);
        this.index = index;
    }

    /**
     * Opens {@code model.safetensors.index.json} if present, else {@code model.safetensors}, else the only
     * {@code .safetensors} file of the directory. A directory holding only pickle weights is refused without
     * opening them.
     */
    public static CheckpointDirectory open(Path dir) {
        if (!Files.exists(dir)) {
            throw new InvalidInputException(dir + ": no such directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + ": not a directory");
        }
        Path indexFile = dir.resolve(WeightIndex.FILE_NAME);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.exists(indexFile)) {
            return openSharded(dir, WeightIndex.read(indexFile));
        }
        if (Files.exists(single)) {
            return openSingle(dir, single);
        }
        List<String> names = listNames(dir);
        List<String> safetensors = names.stream()
                .filter(n -> n.endsWith(".safetensors") && Files.isRegularFile(dir.resolve(n)))
                .toList();
        if (safetensors.size() == 1) {
            return openSingle(dir, dir.resolve(safetensors.get(0)));
        }
        if (safetensors.isEmpty()) {
            Optional<String> pickle = names.stream().filter(CheckpointDirectory::isPickleWeights).findFirst();
            if (pickle.isPresent()) {
                throw new UnsupportedFeatureException(dir + ": holds only PyTorch pickle weights (" + pickle.get()
                        + "); Concord reads safetensors and never unpickles files, because loading a pickle can run "
                        + "arbitrary code — convert the checkpoint to safetensors first");
            }
            throw new InvalidInputException(dir + ": no " + SINGLE_FILE + " or " + WeightIndex.FILE_NAME + " found");
        }
        throw new InvalidInputException(dir + ": " + safetensors.size() + " .safetensors files ("
                + String.join(", ", safetensors.subList(0, Math.min(3, safetensors.size())))
                + (safetensors.size() > 3 ? ", …" : "") + ") but no " + WeightIndex.FILE_NAME
                + " saying which tensors they hold");
    }

    private static boolean isPickleWeights(String name) {
        return (name.startsWith("pytorch_model") && (name.endsWith(".bin") || name.endsWith(".bin.index.json")))
                || name.endsWith(".pt") || name.endsWith(".pth");
    }

    private static CheckpointDirectory openSingle(Path dir, Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> map = new LinkedHashMap<>();
        for (String n : f.names()) {
            map.put(n, f);
        }
        return new CheckpointDirectory(dir, map, List.of(f), Optional.empty());
    }

    private static CheckpointDirectory openSharded(Path dir, WeightIndex index) {
        Map<String, SafetensorsFile> files = new LinkedHashMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (String shard : index.shards()) {
                Path p = dir.resolve(shard);
                if (!Files.isRegularFile(p)) {
                    throw new InvalidInputException(dir.resolve(WeightIndex.FILE_NAME) + ": shard "
                            + WeightIndex.quote(shard) + " is missing from the directory");
                }
                SafetensorsFile f = SafetensorsFile.open(p);
                opened.add(f);
                files.put(shard, f);
            }
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
                SafetensorsFile f = files.get(e.getValue());
                if (!f.contains(e.getKey())) {
                    throw new InvalidInputException(f.path() + ": tensor " + WeightIndex.quote(e.getKey())
                            + " listed in the index is missing from this shard");
                }
                byTensor.put(e.getKey(), f);
            }
            return new CheckpointDirectory(dir, byTensor, opened, Optional.of(index));
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Names of the directory's entries, sorted; pickle files are recognised by name alone, never opened. */
    private static List<String> listNames(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    public Path dir() {
        return dir;
    }

    /** Tensor names in index (or file) order. */
    public List<String> names() {
        return List.copyOf(byTensor.keySet());
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public TensorEntry entry(String name) {
        return file(name).entry(name);
    }

    /** The shard that holds a tensor. */
    public SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new InvalidInputException(dir + ": checkpoint has no tensor '" + name + "'");
        }
        return f;
    }

    public List<SafetensorsFile> shards() {
        return shards;
    }

    public Optional<WeightIndex> index() {
        return index;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
