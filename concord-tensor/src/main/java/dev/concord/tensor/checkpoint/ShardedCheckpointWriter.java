package dev.concord.tensor.checkpoint;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face checkpoint directory as a stream: {@code model.safetensors}, or shards of at most
 * {@link Options#maxShardBytes()} tensor bytes plus {@code model.safetensors.index.json}, split as
 * {@link ShardPlan} describes. Tensors are declared up front and their elements are then fed in declaration
 * order, in pieces of any size (a row block at a time), so no tensor needs to fit in memory.
 *
 * <p>Everything is written into a staging directory beside the target; {@link #commit()} renames it to the
 * target in one step, and closing without commit deletes it. Readers therefore see either no checkpoint or a
 * complete one. Files that belong with the weights (config.json, the tokenizer) can be put into
 * {@link #stagingDirectory()} before commit so that they arrive in the same step.
 */
public final class ShardedCheckpointWriter implements AutoCloseable {
    /** Hugging Face's default {@code max_shard_size="5GB"} (decimal gigabytes, as transformers counts). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /**
     * How to write. The metadata goes into every shard's {@code __metadata__}, after {@code format: pt}, which
     * transformers requires when loading safetensors shards.
     *
     * @param replaceExisting whether a non-empty target directory may be replaced at commit
     */
    public record Options(long maxShardBytes, Map<String, String> metadata, boolean replaceExisting) {
        public Options {
            if (maxShardBytes <= 0) {
                throw new IllegalArgumentException("maximum shard size must be positive, got " + maxShardBytes);
            }
            metadata = Map.copyOf(metadata);
        }

        public static Options defaults() {
            return new Options(DEFAULT_MAX_SHARD_BYTES, Map.of(), false);
        }

        public Options withMaxShardBytes(long bytes) {
            return new Options(bytes, metadata, replaceExisting);
        }

        public Options withMetadata(Map<String, String> m) {
            return new Options(maxShardBytes, m, replaceExisting);
        }

        public Options withReplaceExisting(boolean replace) {
            return new Options(maxShardBytes, metadata, replace);
        }
    }

    private final Path target;
    private final Path staging;
    private final ShardPlan plan;
    private final Map<String, String> shardMetadata;
    private final List<TensorSpec> order;
    private final int[] shardOfTensor;
    private final int[] tensorsLeftInShard;
    private final SafetensorsWriter[] writers;
    private final boolean replaceExisting;
    private int current;
    private long bytesOfCurrent;
    private boolean committed;
    private boolean closed;

    private ShardedCheckpointWriter(Path target, Path staging, ShardPlan plan, List<TensorSpec> order,
            Map<String, String> shardMetadata, boolean replaceExisting) {
        this.target = target;
        this.staging = staging;
        this.plan = plan;
        this.order = order;
        this.shardMetadata = shardMetadata;
        this.replaceExisting = replaceExisting;
        Map<String, Integer> shardByName = new HashMap<>();
        for (int s = 0; s < plan.shardCount(); s++) {
            for (TensorSpec t : plan.shards().get(s)) {
                shardByName.put(t.name(), s);
            }
        }
        this.shardOfTensor = new int[order.size()];
        this.tensorsLeftInShard = new int[plan.shardCount()];
        for (int i = 0; i < order.size(); i++) {
            shardOfTensor[i] = shardByName.get(order.get(i).name());
            tensorsLeftInShard[shardOfTensor[i]]++;
        }
        this.writers = new SafetensorsWriter[plan.shardCount()];
    }

    public static ShardedCheckpointWriter open(Path targetDir, List<TensorSpec> specs) {
        return open(targetDir, specs, Options.defaults());
    }

    /**
     * Plans the shards and creates the staging directory; nothing appears under {@code targetDir} until commit.
     *
     * @throws InvalidInputException if the target exists and is a file, or a non-empty directory that may not
     *     be replaced, or if two tensors share a name
     */
    public static ShardedCheckpointWriter open(Path targetDir, List<TensorSpec> specs, Options options) {
        Objects.requireNonNull(options, "options");
        Path target = targetDir.toAbsolutePath().normalize();
        if (target.getFileName() == null) {
            throw new InvalidInputException(targetDir + ": cannot write a checkpoint over the root directory");
        }
        ShardPlan plan = ShardPlan.of(specs, options.maxShardBytes());
        checkTarget(target, options.replaceExisting());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.putAll(options.metadata());
        Path staging = createSibling(target, ".tmp-");
        ShardedCheckpointWriter w = new ShardedCheckpointWriter(target, staging, plan, List.copyOf(specs), metadata,
                options.replaceExisting());
        try {
            w.passEmptyTensors();
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private static void checkTarget(Path target, boolean replaceExisting) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new InvalidInputException(target + ": exists and is not a directory; refusing to write a checkpoint there");
        }
        if (!replaceExisting && !isEmptyDirectory(target)) {
            throw new InvalidInputException(target + ": directory exists and is not empty; refusing to overwrite it");
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new ConcordException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A new directory beside {@code target}, hidden, on the same file system so that renames are atomic. */
    private static Path createSibling(Path target, String infix) {
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            while (true) {
                Path p = parent.resolve("." + target.getFileName() + infix
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                try {
                    return Files.createDirectory(p);
                } catch (FileAlreadyExistsException taken) {
                    // try another name
                }
            }
        } catch (IOException e) {
            throw new ConcordException("cannot create a directory beside " + target + ": " + e.getMessage(), e);
        }
    }

    public ShardPlan plan() {
        return plan;
    }

    /** Where files go until commit; add config and tokenizer files here to publish them with the weights. */
    public Path stagingDirectory() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Appends {@code len} elements, narrowed to each tensor's dtype (F32, F16 or BF16), across tensors in order. */
    public void writeFloats(float[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int done = 0;
        while (done < len) {
            TensorSpec s = currentSpec();
            if (!s.dtype().readableAsFloat()) {
                throw new IllegalArgumentException("cannot write floats into " + s.dtype() + " tensor " + s.name());
            }
            int width = s.dtype().byteWidth();
            int n = (int) Math.min((s.byteSize() - bytesOfCurrent) / width, len - done);
            writerOfCurrent().writeFloats(src, off + done, n);
            done += n;
            advance((long) n * width);
        }
    }

    public void writeFloats(float[] src) {
        writeFloats(src, 0, src.length);
    }

    /** Appends raw little-endian bytes, across tensors in order. */
    public void writeBytes(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            TensorSpec s = currentSpec();
            int n = (int) Math.min(s.byteSize() - bytesOfCurrent, bytes.remaining());
            ByteBuffer part = bytes.slice(bytes.position(), n);
            bytes.position(bytes.position() + n);
            writerOfCurrent().writeBytes(part);
            advance(n);
        }
    }

    private TensorSpec currentSpec() {
        if (closed || committed) {
            throw new IllegalStateException("checkpoint writer for " + target + " is already "
                    + (committed ? "committed" : "closed"));
        }
        if (current >= order.size()) {
            throw new IllegalStateException("more data written than the " + order.size() + " declared tensors hold");
        }
        return order.get(current);
    }

    private SafetensorsWriter writerOfCurrent() {
        int shard = shardOfTensor[current];
        if (writers[shard] == null) {
            writers[shard] = SafetensorsWriter.open(staging.resolve(plan.fileName(shard)), plan.shards().get(shard),
                    shardMetadata);
        }
        return writers[shard];
    }

    private void advance(long bytes) {
        bytesOfCurrent += bytes;
        if (bytesOfCurrent == order.get(current).byteSize()) {
            finishCurrent();
            passEmptyTensors();
        }
    }

    /** Empty tensors take no bytes, so no write call reaches them; their shards must still be opened and closed. */
    private void passEmptyTensors() {
        while (current < order.size() && order.get(current).byteSize() == 0) {
            writerOfCurrent();
            finishCurrent();
        }
    }

    private void finishCurrent() {
        int shard = shardOfTensor[current];
        if (--tensorsLeftInShard[shard] == 0) {
            writers[shard].commit();
            writers[shard].close();
        }
        current++;
        bytesOfCurrent = 0;
    }

    /**
     * Checks that every declared byte was written, writes the index (when sharded) and renames the staging
     * directory to the target. With {@code replaceExisting}, an existing target is moved aside first and deleted
     * only once the new checkpoint is in place.
     */
    public void commit() {
        if (committed || closed) {
            throw new IllegalStateException("checkpoint writer for " + target + " is already "
                    + (committed ? "committed" : "closed"));
        }
        if (current != order.size()) {
            TensorSpec s = order.get(current);
            throw new IllegalStateException("tensor '" + s.name() + "' is incomplete: " + bytesOfCurrent + " of "
                    + s.byteSize() + " bytes written");
        }
        for (int shard = 0; shard < writers.length; shard++) {
            if (writers[shard] == null) {
                // only a checkpoint without tensors has a shard no tensor opened: it is still one valid file
                writers[shard] = SafetensorsWriter.open(staging.resolve(plan.fileName(shard)), plan.shards().get(shard),
                        shardMetadata);
                writers[shard].commit();
            }
        }
        if (plan.sharded()) {
            writeIndex();
        }
        syncDirectory(staging);
        checkTarget(target, replaceExisting);
        Path displaced = null;
        try {
            if (Files.exists(target) && (!isEmptyDirectory(target) || !renameReplacesEmptyDirectories())) {
                displaced = createSibling(target, ".old-");
                Files.delete(displaced);
                Files.move(target, displaced, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (displaced != null) {
                    Files.move(displaced, target, StandardCopyOption.ATOMIC_MOVE);
                    displaced = null;
                }
                throw e;
            }
        } catch (IOException e) {
            throw new ConcordException("cannot move the written checkpoint into " + target + ": " + e.getMessage(), e);
        }
        committed = true;
        syncDirectory(target.getParent());
        if (displaced != null) {
            deleteRecursively(displaced);
        }
    }

    /** POSIX rename(2) replaces an empty directory in one step; elsewhere move it aside like a full one. */
    private static boolean renameReplacesEmptyDirectories() {
        return !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }

    private void writeIndex() {
        Path file = staging.resolve(WeightIndex.FILE_NAME);
        byte[] json = plan.index().toJson().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(json);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new ConcordException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the rename is atomic either way; only its durability after a power cut is at stake
        }
    }

    /** Without commit: abandons every shard and removes the staging directory. After commit: nothing to do. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            for (SafetensorsWriter w : writers) {
                if (w != null) {
                    w.close();
                }
            }
            deleteRecursively(staging);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: what is left is a hidden directory whose name says it is temporary
        }
    }
}
