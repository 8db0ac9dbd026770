package dev.concord.merge.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One parameter value of a merge.yaml, evaluated per tensor as mergekit's {@code evaluate_setting} does:
 * <ul>
 *   <li>a scalar (number, string, boolean) is the value everywhere;</li>
 *   <li>a list of numbers is a gradient over depth t ∈ [0, 1]: position t·(n−1), linear interpolation between the
 *       two neighbouring entries;</li>
 *   <li>a list of other scalars picks entry int(t·(n−1));</li>
 *   <li>a list of {@code {filter, value}} conditions takes the first whose filter is absent, {@code "*"}, or a
 *       substring of the tensor name ({@code <module>.weight}), and evaluates its value the same way; when none
 *       matches the setting gives nothing and the next level (global parameters, then the default) decides. A
 *       single condition may be written without the list.</li>
 * </ul>
 */
public final class ParameterSetting {
    private final JsonNode node;
    private final String where;

    ParameterSetting(JsonNode node, String where) {
        this.node = node;
        this.where = where;
        check(node, where);
    }

    private static void check(JsonNode n, String where) {
        if (n.isValueNode()) {
            return;
        }
        if (n.isObject()) {
            checkCondition(n, where);
            return;
        }
        if (n.isArray()) {
            if (n.isEmpty()) {
                throw new InvalidInputException(where + ": an empty list is not a value");
            }
            boolean conditions = n.get(0).isObject();
            for (JsonNode e : n) {
                if (conditions != e.isObject() || (!e.isObject() && !e.isValueNode())) {
                    throw new InvalidInputException(where + ": a list must hold only values (a gradient) or only "
                            + "{filter, value} conditions");
                }
                if (e.isObject()) {
                    checkCondition(e, where);
                }
            }
            return;
        }
        throw new InvalidInputException(where + ": unexpected value " + n);
    }

    private static void checkCondition(JsonNode c, String where) {
        List<String> fields = new ArrayList<>();
        c.fieldNames().forEachRemaining(fields::add);
        for (String f : fields) {
            if (!f.equals("filter") && !f.equals("value")) {
                throw new InvalidInputException(where + ": a condition has only 'filter' and 'value', not '" + f + "'");
            }
        }
        if (!c.has("value")) {
            throw new InvalidInputException(where + ": a condition needs a 'value'");
        }
        if (c.has("filter") && !c.get("filter").isNull() && !c.get("filter").isTextual()) {
            throw new InvalidInputException(where + ": a filter is a string (a part of the tensor name)");
        }
        JsonNode v = c.get("value");
        if (v.isObject() || (v.isArray() && v.size() > 0 && !v.get(0).isValueNode())) {
            throw new InvalidInputException(where + ": a condition's value is a scalar or a gradient");
        }
        check(v, where);
    }

    /** The value on tensor {@code tensorName} at depth {@code t}, or empty when no condition matches. */
    public Optional<Object> evaluate(String tensorName, double t) {
        return evaluate(node, tensorName, t);
    }

    private Optional<Object> evaluate(JsonNode n, String tensorName, double t) {
        if (n.isNull()) {
            return Optional.empty();
        }
        if (n.isValueNode()) {
            return Optional.of(scalar(n));
        }
        if (n.isObject()) {
            return condition(n, tensorName) ? evaluate(n.get("value"), tensorName, t) : Optional.empty();
        }
        if (n.get(0).isObject()) {
            for (JsonNode c : n) {
                if (condition(c, tensorName)) {
                    return evaluate(c.get("value"), tensorName, t);
                }
            }
            return Optional.empty();
        }
        boolean numbers = true;
        for (JsonNode e : n) {
            numbers &= e.isNumber();
        }
        int len = n.size();
        double scaled = t * (len - 1);
        int i0 = (int) scaled;
        if (!numbers) {
            return Optional.of(scalar(n.get(Math.min(i0, len - 1))));
        }
        int i1 = Math.min(len - 1, i0 + 1);
        double frac = scaled - i0;
        return Optional.of((1 - frac) * n.get(i0).asDouble() + frac * n.get(i1).asDouble());
    }

    private static boolean condition(JsonNode c, String tensorName) {
        JsonNode f = c.get("filter");
        return f == null || f.isNull() || f.asText().equals("*") || tensorName.contains(f.asText());
    }

    private Object scalar(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual()) {
            return n.asText();
        }
        throw new InvalidInputException(where + ": unexpected value " + n);
    }
}
