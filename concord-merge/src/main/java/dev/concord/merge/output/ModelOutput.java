package dev.concord.merge.output;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.merge.MergeInputs;
import dev.concord.merge.Merger;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.tensor.checkpoint.CheckpointDirectory;
import dev.concord.tensor.checkpoint.ShardedCheckpointWriter;
import dev.concord.tensor.checkpoint.WeightIndex;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code --format model}: the base checkpoint with the merged update added to each targeted weight, written as a
 * full Hugging Face checkpoint in the base's dtypes (sharded with an index past 5 GB, as transformers does), with
 * the base directory's config and tokenizer files copied. Tensors are written in the base's order: untouched ones
 * are copied byte for byte, merged ones are read, summed and narrowed a row block at a time.
 */
public final class ModelOutput implements Merger.Output<DenseModule>, AutoCloseable {
    private final CheckpointDirectory base;
    private final List<String> order;
    private final ShardedCheckpointWriter writer;
    private int next;

    private ModelOutput(CheckpointDirectory base, List<String> order, ShardedCheckpointWriter writer) {
        this.base = base;
        this.order = order;
        this.writer = writer;
    }

    /**
     * Checks that every merged module has a weight of the right shape and a float dtype in the base, and opens
     * the writer into {@code dir} (which must be empty).
     */
    public static ModelOutput open(Path baseDir, MergeInputs inputs, Path dir) {
        CheckpointDirectory base = CheckpointDirectory.open(baseDir);
        try {
            for (MergeInputs.ModuleSlot s : inputs.modules().values()) {
                String name = s.name() + ".weight";
                if (!base.contains(name)) {
                    throw new InvalidInputException(baseDir + ": the base model has no tensor '" + name
                            + "' for adapter module " + s.name() + " (is this the adapters' base model?)");
                }
                TensorEntry e = base.entry(name);
                if (e.rank() != 2 || e.dim(0) != s.rows() || e.dim(1) != s.cols()) {
                    throw new InvalidInputException("adapters are for a different base shape: module " + s.name()
                            + " is [" + s.rows() + ", " + s.cols() + "] in the adapters but " + e.shapeString()
                            + " in " + baseDir);
                }
                if (!e.dtype().readableAsFloat()) {
                    throw new InvalidInputException(baseDir + ": tensor '" + name + "' has dtype " + e.dtype()
                            + "; merging into a model needs F32, F16 or BF16 weights");
                }
            }
            List<TensorSpec> specs = new ArrayList<>();
            for (String n : base.names()) {
                TensorEntry e = base.entry(n);
                specs.add(new TensorSpec(n, e.dtype(), e.shape()));
            }
            ShardedCheckpointWriter w = ShardedCheckpointWriter.open(dir, specs);
            return new ModelOutput(base, base.names(), w);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    /** The merged modules in the order their weights appear in the base checkpoint (the order to merge them in). */
    public List<String> moduleOrder(MergeInputs inputs) {
        List<String> modules = new ArrayList<>();
        for (String n : order) {
            if (n.endsWith(".weight")) {
                String m = n.substring(0, n.length() - ".weight".length());
                if (inputs.modules().containsKey(m)) {
                    modules.add(m);
                }
            }
        }
        return modules;
    }

    @Override
    public DenseModule finish(ModuleInputs module, ModuleResult result) {
        return DenseModule.prepare(result);
    }

    @Override
    public void write(ModuleInputs module, DenseModule delta) {
        String name = module.module() + ".weight";
        copyUntil(name);
        SafetensorsFile file = base.file(name);
        int cols = module.cols();
        delta.stream(module.module(), (row, values, off, len) -> {
            float[] sum = new float[len];
            file.readFloats(name, (long) row * cols, sum, 0, len);
            for (int i = 0; i < len; i++) {
                sum[i] += values[off + i];
            }
            writer.writeFloats(sum, 0, len);
        });
        next++;
    }

    /** Copies the base tensors before {@code name} byte for byte, and moves past {@code name}. */
    private void copyUntil(String name) {
        while (next < order.size() && !order.get(next).equals(name)) {
            String n = order.get(next);
            writer.writeBytes(base.file(n).segment(n).asByteBuffer());
            next++;
        }
        if (next >= order.size()) {
            throw new IllegalStateException("tensor " + name + " written out of the base order");
        }
    }

    /** Copies the rest, the config and tokenizer files, and publishes the checkpoint into its directory. */
    public void commit() {
        copyUntilEnd();
        copySideFiles(base.dir(), writer.stagingDirectory());
        writer.commit();
    }

    private void copyUntilEnd() {
        while (next < order.size()) {
            String n = order.get(next);
            writer.writeBytes(base.file(n).segment(n).asByteBuffer());
            next++;
        }
    }

    /** Everything in the base directory that is not a weight file: config.json, tokenizer files, generation config. */
    static void copySideFiles(Path from, Path to) {
        Set<String> skip = new HashSet<>(List.of(WeightIndex.FILE_NAME, "pytorch_model.bin.index.json"));
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.sorted().toList()) {
                String f = p.getFileName().toString();
                String lower = f.toLowerCase(Locale.ROOT);
                boolean weights = lower.endsWith(".safetensors") || lower.endsWith(".bin") || lower.endsWith(".pt")
                        || lower.endsWith(".pth") || lower.endsWith(".ckpt") || lower.endsWith(".h5")
                        || lower.endsWith(".msgpack") || lower.endsWith(".gguf") || lower.endsWith(".onnx");
                if (Files.isRegularFile(p) && !weights && !skip.contains(f) && !f.startsWith(".")) {
                    Files.copy(p, to.resolve(f));
                }
            }
        } catch (IOException e) {
            throw new ConcordException("cannot copy config and tokenizer files from " + from + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } finally {
            base.close();
        }
    }
}
