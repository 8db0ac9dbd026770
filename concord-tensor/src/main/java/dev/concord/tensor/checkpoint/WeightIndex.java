package dev.concord.tensor.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code model.safetensors.index.json}: which shard file holds which tensor. Shard names must be plain file
 * names inside the checkpoint directory, so an index can never point Concord at a file elsewhere (a shard may
 * still be a symbolic link, as in the Hugging Face cache, where every file links into a blob store).
 */
public record WeightIndex(Map<String, String> weightMap, Map<String, Object> metadata) {
    public static final String FILE_NAME = "model.safetensors.index.json";

    /** Indexes of the largest public models are a few MB; anything far beyond is not an index. */
    static final long MAX_INDEX_BYTES = 64L << 20;

    // Streaming for weight_map (it can list ~10^5 tensors); a tree only for the small metadata object.
    // Duplicate keys are refused by the parser: in an index they can only be a mistake.
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    public WeightIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public static WeightIndex read(Path indexFile) {
        String where = indexFile.toString();
        if (!Files.exists(indexFile)) {
            throw new InvalidInputException(where + ": no such file");
        }
        if (!Files.isRegularFile(indexFile)) {
            throw new InvalidInputException(where + ": not a regular file");
        }
        byte[] bytes;
        try {
            long size = Files.size(indexFile);
            if (size > MAX_INDEX_BYTES) {
                throw new InvalidInputException(where + ": " + size + " bytes is too large for a weight index (limit "
                        + MAX_INDEX_BYTES + ")");
            }
            bytes = Files.readAllBytes(indexFile);
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            return parse(p, where);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where + ": not valid JSON (" + oneLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot parse (" + oneLine(e.getMessage()) + ")");
        }
    }

    private static WeightIndex parse(JsonParser p, String where) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidInputException(where + ": must be a JSON object");
        }
        Map<String, String> weights = null;
        Map<String, Object> meta = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "weight_map" -> weights = readWeightMap(p, where);
                case "metadata" -> {
                    JsonNode m = p.readValueAsTree();
                    // HF only ever writes an object here; anything else carries nothing we use
                    if (m != null && m.isObject()) {
                        for (Map.Entry<String, JsonNode> e : m.properties()) {
                            meta.put(e.getKey(), JSON.treeToValue(e.getValue(), Object.class));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new InvalidInputException(where + ": has content after its JSON object");
        }
        if (weights == null || weights.isEmpty()) {
            throw new InvalidInputException(where + ": needs a non-empty \"weight_map\" object");
        }
        return new WeightIndex(weights, meta);
    }

    private static Map<String, String> readWeightMap(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidInputException(where + ": \"weight_map\" must be an object of tensor name to file name");
        }
        Map<String, String> weights = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String tensor = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new InvalidInputException(where + ": weight_map entry " + quote(tensor) + " is not a file name");
            }
            String shard = p.getText();
            if (!isPlainFileName(shard)) {
                throw new InvalidInputException(where + ": shard " + quote(shard) + " for " + quote(tensor)
                        + " must be a file name inside the checkpoint directory");
            }
            if (!shard.endsWith(".safetensors")) {
                throw new InvalidInputException(where + ": shard " + quote(shard) + " is not a .safetensors file");
            }
            weights.put(tensor, shard);
        }
        return weights;
    }

    static boolean isPlainFileName(String s) {
        return !s.isEmpty() && !s.contains("/") && !s.contains("\\") && !s.equals(".") && !s.equals("..")
                && s.indexOf('\0') < 0 && !(s.length() >= 2 && s.charAt(1) == ':');
    }

    /** Shard file names in first-use order. */
    public Set<String> shards() {
        return new LinkedHashSet<>(weightMap.values());
    }

    /**
     * The index as Hugging Face writes it ({@code json.dumps(index, indent=2, sort_keys=True) + "\n"}): keys
     * sorted by code point at every level, non-ASCII escaped, two-space indent. Byte-identical output lets a
     * checkpoint written by Concord be compared with one written by transformers.
     */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("metadata", metadata);
        root.put("weight_map", weightMap);
        return PythonStyleJson.write(root) + "\n";
    }

    /** A name for a one-line message: control characters replaced, long names shortened. */
    static String quote(String s) {
        String shown = s.length() > 120 ? s.substring(0, 120) + "…" : s;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String oneLine(String s) {
        return s == null ? "parse error" : s.lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "?");
    }
}
