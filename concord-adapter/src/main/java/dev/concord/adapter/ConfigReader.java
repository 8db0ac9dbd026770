package dev.concord.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of adapter_config.json fields. A missing field or JSON null means "PEFT's default"; any other value
 * of the wrong type is an {@link InvalidInputException} that names the file, the field and what was found.
 */
final class ConfigReader {
    private final ObjectNode root;
    private final String where;

    ConfigReader(ObjectNode root, String where) {
        this.root = root;
        this.where = where;
    }

    String where() {
        return where;
    }

    boolean isSet(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    JsonNode raw(String field) {
        return root.get(field);
    }

    InvalidInputException bad(String field, String expectation) {
        JsonNode n = root.get(field);
        return new InvalidInputException(where + ": field '" + field + "' must be " + expectation + ", got "
                + abbreviate(n == null ? "nothing" : n.toString()));
    }

    boolean bool(String field, boolean fallback) {
        if (!isSet(field)) {
            return fallback;
        }
        JsonNode n = root.get(field);
        if (!n.isBoolean()) {
            throw bad(field, "true or false");
        }
        return n.booleanValue();
    }

    String string(String field) {
        if (!isSet(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (!n.isTextual()) {
            throw bad(field, "a string");
        }
        return n.textValue();
    }

    int positiveInt(String field, int fallback) {
        if (!isSet(field)) {
            return fallback;
        }
        return positiveInt(root.get(field), field);
    }

    private int positiveInt(JsonNode n, String field) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw bad(field, "a positive integer");
        }
        return n.intValue();
    }

    double finiteNumber(String field, double fallback) {
        if (!isSet(field)) {
            return fallback;
        }
        JsonNode n = root.get(field);
        if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw bad(field, "a finite number");
        }
        return n.doubleValue();
    }

    /** A string, or a list of strings; {@code null} when absent. A plain string comes back as a one-element list. */
    List<String> stringOrList(String field) {
        if (!isSet(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (n.isTextual()) {
            return n.textValue().isEmpty() ? List.of() : List.of(n.textValue());
        }
        return stringList(field);
    }

    List<String> stringList(String field) {
        if (!isSet(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (!n.isArray()) {
            throw bad(field, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw bad(field, "a list of strings");
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    /** A non-negative integer or a list of them ({@code layers_to_transform}); {@code null} when absent. */
    List<Integer> intOrList(String field) {
        if (!isSet(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        List<JsonNode> items = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(items::add);
        } else {
            items.add(n);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : items) {
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.intValue() < 0) {
                throw bad(field, "a non-negative integer or a list of them");
            }
            out.add(e.intValue());
        }
        return List.copyOf(out);
    }

    /** A selector: a list of names, a regex string, or (when allowed) "all-linear"; {@code null} when absent. */
    ModuleSelector selector(String field, boolean allowAllLinear) {
        if (!isSet(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (n.isTextual()) {
            String s = n.textValue();
            if (allowAllLinear && s.equalsIgnoreCase(LoraConfig.ALL_LINEAR)) {
                return new ModuleSelector.AllLinear(s);
            }
            return new ModuleSelector.Regex(s);
        }
        if (!n.isArray()) {
            throw bad(field, "a list of module names or a regex string");
        }
        return new ModuleSelector.Names(stringList(field));
    }

    /** An object of pattern → positive integer, in file order (the order decides which pattern wins). */
    Map<String, Integer> intMap(String field) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (!isSet(field)) {
            return out;
        }
        JsonNode n = root.get(field);
        if (!n.isObject()) {
            throw bad(field, "an object of module pattern to rank");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
                throw new InvalidInputException(where + ": " + field + "['" + e.getKey()
                        + "'] must be a positive integer, got " + abbreviate(v.toString()));
            }
            out.put(e.getKey(), v.intValue());
        }
        return out;
    }

    /** An object of pattern → finite number, in file order. */
    Map<String, Double> numberMap(String field) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!isSet(field)) {
            return out;
        }
        JsonNode n = root.get(field);
        if (!n.isObject()) {
            throw bad(field, "an object of module pattern to alpha");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new InvalidInputException(where + ": " + field + "['" + e.getKey()
                        + "'] must be a finite number, got " + abbreviate(v.toString()));
            }
            out.put(e.getKey(), v.doubleValue());
        }
        return out;
    }

    /** A user string for a one-line message: JSON-quoted, so control characters cannot break the line. */
    static String quoted(String s) {
        return abbreviate(com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString());
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
