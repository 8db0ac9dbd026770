package dev.concord.model.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Reads {@code config.json} as real checkpoints write it: old and new key spellings ({@code torch_dtype} /
 * {@code dtype}, {@code rope_theta}+{@code rope_scaling} / {@code rope_parameters}, {@code type} /
 * {@code rope_type}), {@code eos_token_id} as a number or a list, {@code head_dim} that may differ from
 * hidden/heads. Defaults are those of the transformers config classes.
 */
public final class ModelConfigReader {
    public static final String FILE_NAME = "config.json";
    /** transformers' MistralConfig default for {@code sliding_window} when config.json omits the key. */
    static final int MISTRAL_DEFAULT_SLIDING_WINDOW = 4096;
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final String where;
    private final JsonNode root;

    private ModelConfigReader(String where, JsonNode root) {
        this.where = where;
        this.root = root;
    }

    /** Reads {@code dir/config.json}, or the file itself when given a file. */
    public static ModelConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": no such file (a Hugging Face model directory needs config.json)");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": must be a JSON object");
        }
        return new ModelConfigReader(file.toString(), root).parse();
    }

    public static ModelConfig parse(JsonNode root, String where) {
        return new ModelConfigReader(where, root).parse();
    }

    private ModelConfig parse() {
        Architecture arch = architecture();
        String modelType = text("model_type", arch.modelType());
        String act = text("hidden_act", "silu");
        if (!act.equals("silu") && !act.equals("swish")) {
            throw new UnsupportedFeatureException(where + ": hidden_act '" + act + "' is not supported (Concord runs silu)");
        }
        int hidden = positiveInt("hidden_size");
        int intermediate = positiveInt("intermediate_size");
        int layers = positiveInt("num_hidden_layers");
        int heads = positiveInt("num_attention_heads");
        int kvHeads = has("num_key_value_heads") ? positiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw bad("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int headDim;
        if (has("head_dim")) {
            headDim = positiveInt("head_dim");
        } else {
            if (hidden % heads != 0) {
                throw bad("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads + " and no head_dim is given");
            }
            headDim = hidden / heads;
        }
        if (headDim % 2 != 0) {
            throw bad("head_dim " + headDim + " must be even for rotary embeddings");
        }
        int vocab = positiveInt("vocab_size");
        int maxPos = has("max_position_embeddings") ? positiveInt("max_position_embeddings") : defaultMaxPositions(arch);
        double eps = has("rms_norm_eps") ? positiveDouble("rms_norm_eps") : 1e-6;

        JsonNode ropeParams = root.get("rope_parameters");
        boolean newRope = ropeParams != null && ropeParams.isObject();
        double theta;
        if (has("rope_theta")) {
            theta = positiveDouble("rope_theta");
        } else if (newRope && ropeParams.has("rope_theta")) {
            theta = positiveDouble(ropeParams, "rope_parameters.rope_theta");
        } else {
            theta = 10000.0;
        }
        JsonNode scalingNode = newRope ? ropeParams : root.get("rope_scaling");
        RopeScaling scaling = ropeScaling(scalingNode, newRope ? "rope_parameters" : "rope_scaling");

        OptionalInt window = OptionalInt.empty();
        int maxWindowLayers = 0;
        if (arch == Architecture.MISTRAL) {
            // transformers' MistralConfig defaults sliding_window to 4096 when the key is absent; an explicit null
            // (Mistral v0.2 and later) turns the window off.
            if (has("sliding_window")) {
                window = OptionalInt.of(positiveInt("sliding_window"));
            } else if (!root.has("sliding_window")) {
                window = OptionalInt.of(MISTRAL_DEFAULT_SLIDING_WINDOW);
            }
        } else if (arch == Architecture.QWEN2) {
            if (bool("use_sliding_window", false) && has("sliding_window")) {
                window = OptionalInt.of(positiveInt("sliding_window"));
                maxWindowLayers = has("max_window_layers") ? nonNegativeInt("max_window_layers") : 28;
            }
        }
        boolean attentionBias = arch == Architecture.QWEN2 || bool("attention_bias", false);
        boolean mlpBias = bool("mlp_bias", false);
        OptionalInt bos = has("bos_token_id") ? OptionalInt.of(nonNegativeInt("bos_token_id")) : OptionalInt.empty();
        List<Integer> eos = tokenIds("eos_token_id");
        String dtype = has("torch_dtype") ? text("torch_dtype", "float32") : text("dtype", "float32");
        return new ModelConfig(arch, modelType, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, maxPos,
                eps, theta, scaling, bool("tie_word_embeddings", false), attentionBias, mlpBias, window,
                maxWindowLayers, bos, eos, dtype);
    }

    private Architecture architecture() {
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && !archs.isEmpty()) {
            String name = archs.get(0).asText();
            return Architecture.fromClassName(name).orElseThrow(() -> new UnsupportedFeatureException(where
                    + ": architecture '" + name + "' is not supported (supported: " + Architecture.supportedList() + ")"));
        }
        String type = text("model_type", "");
        return Architecture.fromModelType(type).orElseThrow(() -> new UnsupportedFeatureException(where
                + ": no supported architecture found (architectures missing, model_type '" + type + "'; supported: "
                + Architecture.supportedList() + ")"));
    }

    private static int defaultMaxPositions(Architecture arch) {
        return switch (arch) {
            case LLAMA -> 2048;
            case MISTRAL -> 4096 * 32;
            case QWEN2 -> 32768;
        };
    }

    private RopeScaling ropeScaling(JsonNode node, String key) {
        if (node == null || node.isNull()) {
            return RopeScaling.NONE;
        }
        if (!node.isObject()) {
            throw bad(key + " must be an object or null");
        }
        JsonNode typeNode = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        String type = typeNode == null || typeNode.isNull() ? "default" : typeNode.asText().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, positiveDouble(node, key + ".factor"), 1, 1, 0);
            case "llama3" -> new RopeScaling(RopeScaling.Type.LLAMA3,
                    positiveDouble(node, key + ".factor"),
                    positiveDouble(node, key + ".low_freq_factor"),
                    positiveDouble(node, key + ".high_freq_factor"),
                    (int) positiveDouble(node, key + ".original_max_position_embeddings"));
            default -> throw new UnsupportedFeatureException(where + ": " + key + " type '" + type
                    + "' is not supported (supported: default, linear, llama3)");
        };
    }

    private List<Integer> tokenIds(String key) {
        JsonNode n = root.get(key);
        List<Integer> ids = new ArrayList<>();
        if (n == null || n.isNull()) {
            return ids;
        }
        if (n.isIntegralNumber()) {
            ids.add(n.intValue());
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber()) {
                    throw bad(key + " must hold integers");
                }
                ids.add(e.intValue());
            }
        } else {
            throw bad(key + " must be an integer or a list of integers");
        }
        return ids;
    }

    private boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    private String text(String key, String dflt) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    private boolean bool(String key, boolean dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw bad(key + " must be true or false");
        }
        return n.booleanValue();
    }

    private int positiveInt(String key) {
        int v = nonNegativeInt(key);
        if (v == 0) {
            throw bad(key + " must be positive");
        }
        return v;
    }

    private int nonNegativeInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw bad("missing " + key);
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw bad(key + " must be a non-negative integer, found " + n);
        }
        return n.intValue();
    }

    private double positiveDouble(String key) {
        return positiveDouble(root, key);
    }

    private double positiveDouble(JsonNode obj, String path) {
        String leaf = path.substring(path.lastIndexOf('.') + 1);
        JsonNode n = obj.get(leaf);
        if (n == null || !n.isNumber() || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw bad(path + " must be a positive number, found " + n);
        }
        return n.doubleValue();
    }

    private InvalidInputException bad(String what) {
        return new InvalidInputException(where + ": " + what);
    }
}
