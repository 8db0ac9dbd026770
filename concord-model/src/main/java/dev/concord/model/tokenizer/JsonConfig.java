package dev.concord.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;

import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object of a tokenizer.json (a normalizer, a decoder, …) together with where it sits in which file, so
 * that every complaint names the file and the JSON path of the offending value.
 */
record JsonConfig(JsonNode node, String where, String file) {

    /** The {@code type} field that selects the implementation. */
    String type() {
        return string("type");
    }

    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    String string(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid("missing field '" + field + "'");
        }
        if (!value.isTextual()) {
            throw invalid("field '" + field + "' must be a string, found " + value.getNodeType());
        }
        return value.textValue();
    }

    /** A string field that may be absent or null. */
    String optionalString(String field) {
        return has(field) ? string(field) : null;
    }

    boolean bool(String field, boolean whenAbsent) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return whenAbsent;
        }
        if (!value.isBoolean()) {
            throw invalid("field '" + field + "' must be true or false, found " + value);
        }
        return value.booleanValue();
    }

    int nonNegativeInt(String field, int whenAbsent) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return whenAbsent;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0) {
            throw invalid("field '" + field + "' must be a non-negative integer, found " + value);
        }
        return value.intValue();
    }

    /** A single character, as Rust's {@code char} fields are written. */
    int codePoint(String field) {
        String text = string(field);
        if (text.isEmpty() || text.codePointCount(0, text.length()) != 1) {
            throw invalid("field '" + field + "' must be exactly one character, found \"" + text + "\"");
        }
        return text.codePointAt(0);
    }

    JsonConfig object(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid("missing field '" + field + "'");
        }
        if (!value.isObject()) {
            throw invalid("field '" + field + "' must be an object, found " + value.getNodeType());
        }
        return new JsonConfig(value, child(field), file);
    }

    /** The objects of an array field, each with its own path. */
    List<JsonConfig> objects(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid("missing field '" + field + "'");
        }
        if (!value.isArray()) {
            throw invalid("field '" + field + "' must be an array, found " + value.getNodeType());
        }
        List<JsonConfig> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonConfig item = new JsonConfig(value.get(i), child(field) + "[" + i + "]", file);
            if (!item.node.isObject()) {
                throw item.invalid("must be an object, found " + item.node.getNodeType());
            }
            items.add(item);
        }
        return items;
    }

    private String child(String field) {
        return where.isEmpty() ? field : where + "." + field;
    }

    InvalidInputException invalid(String what) {
        return new InvalidInputException(file + ": " + where + ": " + what);
    }

    UnsupportedFeatureException unsupported(String what) {
        return new UnsupportedFeatureException(file + ": " + where + ": " + what);
    }
}
