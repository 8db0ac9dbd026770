package dev.concord.merge;

import dev.concord.error.InvalidInputException;
import java.util.List;
import java.util.Locale;

/**
 * A parameter a merge method declares: its name (snake_case, as in a merge.yaml), the command-line option that
 * sets it, whether it may differ per input adapter, its kind, its default and what it means. Methods declare
 * their parameters the way mergekit's {@code ConfigParameterDef} does, so that help, validation and the merge
 * report all come from one list.
 *
 * @param name         snake_case name (merge.yaml key and merge_report.json key)
 * @param option       the CLI option, e.g. {@code --density}
 * @param perAdapter   whether a value may be given per input adapter (mergekit's tensor parameters)
 * @param kind         how values are read and checked
 * @param defaultValue the default (a Double, Integer or String); null means the parameter is required
 * @param description  one line for --help and docs
 */
public record ParameterDef(String name, String option, boolean perAdapter, Kind kind, Object defaultValue,
        String description) {

    /** How a value is read and which values are allowed. */
    public sealed interface Kind {
        /** Converts and checks a raw value (Number, String or Boolean from the CLI or YAML). */
        Object accept(Object raw, String where);

        String describe();
    }

    /** A finite number in an interval. */
    public record NumberKind(double min, boolean minInclusive, double max, boolean maxInclusive) implements Kind {
        @Override
        public Object accept(Object raw, String where) {
            double v;
            if (raw instanceof Number n) {
                v = n.doubleValue();
            } else if (raw instanceof String s && Numbers.isPlainNumber(s)) {
                v = Double.parseDouble(s);
            } else {
                throw new InvalidInputException(where + ": expected a number, got '" + raw + "'");
            }
            boolean lowOk = minInclusive ? v >= min : v > min;
            boolean highOk = maxInclusive ? v <= max : v < max;
            if (!Double.isFinite(v) || !lowOk || !highOk) {
                throw new InvalidInputException(where + ": " + Numbers.format(v) + " is outside " + describe());
            }
            return v;
        }

        @Override
        public String describe() {
            return (minInclusive ? "[" : "(") + bound(min) + ", " + bound(max) + (maxInclusive ? "]" : ")");
        }

        private static String bound(double b) {
            return Double.isInfinite(b) ? (b > 0 ? "inf" : "-inf") : Numbers.format(b);
        }
    }

    /** A whole number, at least {@code min}. */
    public record IntegerKind(int min) implements Kind {
        @Override
        public Object accept(Object raw, String where) {
            long v;
            if (raw instanceof Integer || raw instanceof Long) {
                v = ((Number) raw).longValue();
            } else if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                v = (long) n.doubleValue();
            } else if (raw instanceof String s && s.matches("-?[0-9]{1,10}")) {
                v = Long.parseLong(s);
            } else {
                throw new InvalidInputException(where + ": expected a whole number, got '" + raw + "'");
            }
            if (v < min || v > Integer.MAX_VALUE) {
                throw new InvalidInputException(where + ": " + v + " must be at least " + min);
            }
            return (int) v;
        }

        @Override
        public String describe() {
            return "integer >= " + min;
        }
    }

    /** One of a fixed set of lower-case words. */
    public record ChoiceKind(List<String> choices) implements Kind {
        @Override
        public Object accept(Object raw, String where) {
            String s = String.valueOf(raw).toLowerCase(Locale.ROOT);
            if (!choices.contains(s)) {
                throw new InvalidInputException(where + ": '" + raw + "' is not one of " + String.join(", ", choices));
            }
            return s;
        }

        @Override
        public String describe() {
            return String.join("|", choices);
        }
    }

    /** density ∈ (0, 1]. */
    public static ParameterDef density(double defaultValue, String description) {
        return new ParameterDef("density", "--density", true, new NumberKind(0, false, 1, true), defaultValue,
                description);
    }

    public static ParameterDef lambda() {
        return new ParameterDef("lambda", "--lambda", false,
                new NumberKind(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY, false), 1.0,
                "scale of the merged task vector");
    }

    public static ParameterDef choice(String name, String defaultValue, String description, String... choices) {
        return new ParameterDef(name, "--" + name.replace('_', '-'), false, new ChoiceKind(List.of(choices)),
                defaultValue, description);
    }

    /** The default as shown in help. */
    public String defaultText() {
        if (defaultValue == null) {
            return "required";
        }
        return defaultValue instanceof Double d ? Numbers.format(d) : String.valueOf(defaultValue);
    }
}
