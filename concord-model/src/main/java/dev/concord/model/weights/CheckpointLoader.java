package dev.concord.model.weights;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.config.ModelConfigReader;
import dev.concord.tensor.DType;
import dev.concord.tensor.checkpoint.CheckpointDirectory;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import dev.concord.tensor.safetensors.TensorEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link ModelWeights} from a checkpoint directory and checks it against config.json before any compute:
 * every tensor the architecture needs is present with the shape the config implies and a float dtype, and the
 * checkpoint has no layers beyond {@code num_hidden_layers}. Biases and the output layer are decided from which
 * tensors exist (Qwen2 configs carry no attention_bias key; tied checkpoints store no lm_head.weight).
 */
final class CheckpointLoader {
    private static final Pattern LAYER_NAME = Pattern.compile("^model\\.layers\\.(\\d+)\\.");

    private final ModelConfig config;
    private final CheckpointDirectory checkpoint;
    private final Quantization quantization;
    private final String where;

    private CheckpointLoader(ModelConfig config, CheckpointDirectory checkpoint, Quantization quantization) {
        this.config = config;
        this.checkpoint = checkpoint;
        this.quantization = quantization;
        this.where = checkpoint.dir().toString();
    }

    static ModelWeights load(Path dir, Quantization quantization) {
        ModelConfig config = ModelConfigReader.read(dir);
        CheckpointDirectory checkpoint = CheckpointDirectory.open(dir);
        try {
            return new CheckpointLoader(config, checkpoint, quantization).build();
        } catch (RuntimeException | OutOfMemoryError e) {
            checkpoint.close();
            throw e;
        }
    }

    private ModelWeights build() {
        checkLayerCount();
        int hidden = config.hiddenSize();
        int qOut = config.numHeads() * config.headDim();
        int kvOut = config.numKvHeads() * config.headDim();
        int inter = config.intermediateSize();
        WeightMatrix embedding = matrix("model.embed_tokens.weight", config.vocabSize(), hidden);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            Map<Projection, Linear> linears = new EnumMap<>(Projection.class);
            linears.put(Projection.Q, linear(i, Projection.Q, qOut, hidden));
            linears.put(Projection.K, linear(i, Projection.K, kvOut, hidden));
            linears.put(Projection.V, linear(i, Projection.V, kvOut, hidden));
            linears.put(Projection.O, linear(i, Projection.O, hidden, qOut));
            linears.put(Projection.GATE, linear(i, Projection.GATE, inter, hidden));
            linears.put(Projection.UP, linear(i, Projection.UP, inter, hidden));
            linears.put(Projection.DOWN, linear(i, Projection.DOWN, hidden, inter));
            String p = "model.layers." + i + ".";
            layers.add(new LayerWeights(vector(p + "input_layernorm.weight", hidden),
                    vector(p + "post_attention_layernorm.weight", hidden), linears));
        }
        float[] norm = vector("model.norm.weight", hidden);
        // transformers ties lm_head to the embedding when the config says so, whatever the file holds; a checkpoint
        // without lm_head.weight can only mean tied embeddings
        boolean tied = config.tieWordEmbeddings() || !checkpoint.contains("lm_head.weight");
        Linear lmHead;
        if (tied) {
            lmHead = new Linear(quantize("lm_head (tied to model.embed_tokens.weight)", embedding), null);
        } else {
            lmHead = new Linear(quantize("lm_head.weight", matrix("lm_head.weight", config.vocabSize(), hidden)), null);
        }
        return new ModelWeights(config, embedding, layers, norm, lmHead, tied, quantization, checkpoint);
    }

    private void checkLayerCount() {
        for (String name : checkpoint.names()) {
            Matcher m = LAYER_NAME.matcher(name);
            if (m.find()) {
                long layer = Long.parseLong(m.group(1));
                if (layer >= config.numLayers()) {
                    throw new InvalidInputException(where + ": config.json contradicts the tensors: num_hidden_layers is "
                            + config.numLayers() + " but the checkpoint holds '" + name + "'");
                }
            }
        }
    }

    private Linear linear(int layer, Projection p, int out, int in) {
        String base = p.moduleName(layer);
        WeightMatrix w = quantize(base + ".weight", matrix(base + ".weight", out, in));
        float[] bias = checkpoint.contains(base + ".bias") ? vector(base + ".bias", out) : null;
        return new Linear(w, bias);
    }

    private WeightMatrix quantize(String name, WeightMatrix w) {
        if (quantization == Quantization.NONE) {
            return w;
        }
        try {
            return w.quantizeQ8_0(true);
        } catch (OutOfMemoryError e) {
            long bytes = (long) w.rows() * w.cols() + 4L * w.rows() * ((w.cols() + 31) / 32);
            throw new ResourceException("out of memory quantizing " + name + " to q8_0 (" + bytes
                    + " bytes asked for; raise -Xmx or load without --quantize)", e);
        }
    }

    private TensorEntry entry(String name, long... shape) {
        if (!checkpoint.contains(name)) {
            throw new InvalidInputException(where + ": checkpoint has no tensor '" + name + "' (needed by "
                    + config.architecture().className() + " with the shapes config.json describes)");
        }
        TensorEntry e = checkpoint.entry(name);
        if (!Arrays.equals(e.shape(), shape)) {
            throw new InvalidInputException(where + ": config.json contradicts the tensors: '" + name + "' has shape "
                    + e.shapeString() + ", the config implies " + Arrays.toString(shape));
        }
        DType dt = e.dtype();
        if (dt != DType.F32 && dt != DType.F16 && dt != DType.BF16) {
            throw new InvalidInputException(where + ": tensor '" + name + "' has dtype " + dt
                    + "; Concord runs F32, F16 and BF16 weights");
        }
        return e;
    }

    private WeightMatrix matrix(String name, int rows, int cols) {
        TensorEntry e = entry(name, rows, cols);
        return WeightMatrix.of(WeightFormat.of(e.dtype()), checkpoint.file(name).segment(name), rows, cols);
    }

    private float[] vector(String name, int length) {
        entry(name, length);
        return checkpoint.file(name).readFloats(name);
    }
}
