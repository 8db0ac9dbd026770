package dev.concord.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.error.ConcordException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's TemplateProcessing: a template such as {@code <s> $A} (single) or {@code <s> $A <s> $B} (pair)
 * saying where the special tokens go. Without special tokens only the sequences remain, in template order.
 */
final class TemplateProcessor implements PostProcessor {

    /** One element of a template: a special token's ids, or sequence A (0) or B (1). */
    private record Part(int[] specialIds, int sequence) {
    }

    private final List<Part> single;
    private final List<Part> pair;

    private TemplateProcessor(List<Part> single, List<Part> pair) {
        this.single = single;
        this.pair = pair;
    }

    static TemplateProcessor fromJson(JsonConfig config) {
        Map<String, int[]> specialTokens = new HashMap<>();
        if (config.has("special_tokens")) {
            JsonConfig tokens = config.object("special_tokens");
            tokens.node().properties().forEach(entry -> {
                JsonConfig token = new JsonConfig(entry.getValue(), tokens.where() + "." + entry.getKey(),
                        config.file());
                JsonNode ids = token.node().get("ids");
                if (ids == null || !ids.isArray()) {
                    throw token.invalid("a special token needs an 'ids' array");
                }
                int[] values = new int[ids.size()];
                for (int i = 0; i < values.length; i++) {
                    if (!ids.get(i).canConvertToInt() || ids.get(i).intValue() < 0) {
                        throw token.invalid("ids must be non-negative integers, found " + ids.get(i));
                    }
                    values[i] = ids.get(i).intValue();
                }
                specialTokens.put(entry.getKey(), values);
            });
        }
        return new TemplateProcessor(template(config, "single", specialTokens),
                template(config, "pair", specialTokens));
    }

    private static List<Part> template(JsonConfig config, String field, Map<String, int[]> specialTokens) {
        JsonNode node = config.node().get(field);
        if (node == null || !node.isArray()) {
            throw config.invalid("template '" + field + "' must be an array");
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            String where = field + "[" + i + "]";
            if (element.has("SpecialToken")) {
                parts.add(special(element.get("SpecialToken").path("id").asText(null), config, where, specialTokens));
            } else if (element.has("Sequence")) {
                parts.add(sequence(element.get("Sequence").path("id").asText(""), config, where));
            } else {
                throw config.invalid(where + " must be a SpecialToken or a Sequence, found " + element);
            }
        }
        return parts;
    }

    private static Part sequence(String id, JsonConfig config, String where) {
        return switch (id) {
            case "A" -> new Part(null, 0);
            case "B" -> new Part(null, 1);
            default -> throw config.invalid(where + ": sequence id must be A or B, found '" + id + "'");
        };
    }

    private static Part special(String id, JsonConfig config, String where, Map<String, int[]> specialTokens) {
        int[] ids = id == null ? null : specialTokens.get(id);
        if (ids == null) {
            throw config.invalid(where + ": special token '" + id + "' is not declared in special_tokens");
        }
        return new Part(ids, -1);
    }

    @Override
    public List<int[]> process(List<int[]> sequences, boolean addSpecialTokens) {
        List<Part> template = switch (sequences.size()) {
            case 1 -> single;
            case 2 -> pair;
            default -> throw new ConcordException("TemplateProcessing needs one or two sequences, got "
                    + sequences.size() + " (is it preceded by another template in a Sequence?)");
        };
        List<int[]> out = new ArrayList<>(template.size());
        for (Part part : template) {
            if (part.specialIds() == null) {
                out.add(sequences.get(part.sequence()));
            } else if (addSpecialTokens) {
                out.add(part.specialIds());
            }
        }
        return out;
    }
}
