package dev.concord.analysis;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.checkpoint.CheckpointDirectory;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Norms of base-model weights, for the relative size ‖tau‖ / ‖W‖ of each adapted layer: DARE's random drop and
 * rescale is known to break down when deltas are large relative to the weights. Tensors are read from the
 * memory-mapped checkpoint a block at a time.
 */
public final class BaseWeights implements AutoCloseable {
    private static final int BLOCK = 1 << 16;
    private final CheckpointDirectory checkpoint;

    private BaseWeights(CheckpointDirectory checkpoint) {
        this.checkpoint = checkpoint;
    }

    /**
     * @throws InvalidInputException if the directory is not a safetensors checkpoint
     */
    public static BaseWeights open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + ": --base must be a model directory");
        }
        return new BaseWeights(CheckpointDirectory.open(dir));
    }

    /** ‖W‖_F of the module's weight ({@code <module>.weight}), or NaN when the checkpoint has no such tensor. */
    public double norm(String module, int rows, int cols) {
        String key = module + ".weight";
        if (!checkpoint.contains(key)) {
            return Double.NaN;
        }
        TensorEntry e = checkpoint.entry(key);
        if (e.numel() != (long) rows * cols) {
            throw new InvalidInputException(checkpoint.dir() + ": base tensor '" + key + "' has shape "
                    + e.shapeString() + " but the adapters' update is [" + rows + ", " + cols
                    + "]; is --base the model the adapters were trained on?");
        }
        SafetensorsFile file = checkpoint.file(key);
        float[] buf = new float[BLOCK];
        double s = 0;
        for (long first = 0; first < e.numel(); first += BLOCK) {
            int count = (int) Math.min(BLOCK, e.numel() - first);
            file.readFloats(key, first, buf, 0, count);
            for (int i = 0; i < count; i++) {
                s += (double) buf[i] * buf[i];
            }
        }
        return Math.sqrt(s);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
