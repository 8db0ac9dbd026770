package dev.concord.lab.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicFiles;
import dev.concord.lab.suite.JsonObjectFile;
import dev.concord.lab.suite.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code <adapter>/eval.json}: an adapter's recorded scores on its own skill, one object per split,
 * {@code {"test": {"exact_match": 0.97, "token_accuracy": 0.99, "items": 500}, "validation": {...}, "ood": {...}}}.
 * {@code concord lab build} writes it; {@code concord eval} reads it as the reference of normalized accuracy.
 * Unknown top-level keys are ignored, so the file may grow.
 */
public final class AdapterEvalFile {
    public static final String FILE_NAME = "eval.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterEvalFile() {}

    /** A split's recorded numbers; exact matches are recovered as a count when the rate is a ratio of items. */
    public record Recorded(double exactMatch, double tokenAccuracy, int items) {}

    /** The splits recorded in {@code adapterDir}'s eval.json; empty when the file does not exist. */
    public static Map<Split, Recorded> read(Path adapterDir) {
        Path file = adapterDir.resolve(FILE_NAME);
        Map<Split, Recorded> out = new EnumMap<>(Split.class);
        if (!Files.isRegularFile(file)) {
            return out;
        }
        JsonNode root = JsonObjectFile.read(JSON, file, "a JSON object keyed by split (test, validation, ood)");
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Split split = splitOrNull(e.getKey());
            if (split == null) {
                continue;
            }
            JsonNode s = e.getValue();
            String where = file + ": " + e.getKey();
            double em = fraction(s, "exact_match", where);
            double ta = fraction(s, "token_accuracy", where);
            JsonNode items = s.get("items");
            if (items == null || !items.isIntegralNumber() || items.asLong() < 1 || items.asLong() > Integer.MAX_VALUE) {
                throw new InvalidInputException(where + ".items must be a positive integer");
            }
            out.put(split, new Recorded(em, ta, items.asInt()));
        }
        return out;
    }

    /** Writes {@code scores} as {@code adapterDir}/eval.json, atomically. */
    public static void write(Path adapterDir, Map<Split, SkillScore> scores) {
        ObjectNode root = JSON.createObjectNode();
        for (Map.Entry<Split, SkillScore> e : new EnumMap<>(scores).entrySet()) {
            ObjectNode s = root.putObject(e.getKey().id());
            s.put("exact_match", e.getValue().exactMatch());
            s.put("token_accuracy", e.getValue().tokenAccuracy());
            s.put("items", e.getValue().items());
        }
        try {
            AtomicFiles.writeString(adapterDir.resolve(FILE_NAME),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render eval.json", e);
        }
    }

    private static Split splitOrNull(String id) {
        for (Split s : Split.values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        return null;
    }

    private static double fraction(JsonNode split, String field, String where) {
        if (split == null || !split.isObject()) {
            throw new InvalidInputException(where + " must be an object with exact_match, token_accuracy and items");
        }
        JsonNode v = split.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
            throw new InvalidInputException(where + "." + field + " must be a number in [0, 1]");
        }
        return v.asDouble();
    }
}
