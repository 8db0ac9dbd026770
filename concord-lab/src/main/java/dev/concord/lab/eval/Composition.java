package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What is evaluated on top of the base model.
 *
 * <ul>
 *   <li>{@link Base}: the base model alone.
 *   <li>{@link Mix}: several adapters applied together to every prompt, unmerged: {@code y = W x + Σ w·s·B(A x)},
 *       the exact linear composition.
 *   <li>{@link Routed}: each skill's prompts served by the adapter whose directory name is the skill (what serving
 *       adapters separately achieves); sequences of different skills share batches, each with its own adapter.
 *   <li>{@link Merged}: the adapters merged in memory with a {@code concord merge} method, the result folded into
 *       the base weights.
 *   <li>{@link Delta}: an update already merged in memory by the caller, folded into the base weights.
 * </ul>
 */
public sealed interface Composition {
    /** The adapters involved, in the order given (empty for the base and for an in-memory delta). */
    List<WeightedAdapter> adapters();

    /** A short human label, e.g. {@code mix of json, rot3} or {@code ties merge of json, rot3}. */
    String label();

    record Base() implements Composition {
        @Override
        public List<WeightedAdapter> adapters() {
            return List.of();
        }

        @Override
        public String label() {
            return "base model";
        }
    }

    record Mix(List<WeightedAdapter> adapters) implements Composition {
        public Mix {
            adapters = distinct(adapters, "a mix");
        }

        @Override
        public String label() {
            return (adapters.size() == 1 ? "adapter " : "mix of ") + names(adapters);
        }
    }

    record Routed(List<WeightedAdapter> adapters) implements Composition {
        public Routed {
            adapters = distinct(adapters, "--route");
            Set<String> names = new HashSet<>();
            for (WeightedAdapter a : adapters) {
                if (!names.add(a.name())) {
                    throw new InvalidInputException("--route: two adapters are named '" + a.name()
                            + "'; route picks an adapter by its directory name, so names must differ");
                }
            }
        }

        @Override
        public String label() {
            return "routed " + names(adapters);
        }
    }

    record Merged(MergeSpec spec) implements Composition {
        @Override
        public List<WeightedAdapter> adapters() {
            return spec.adapters();
        }

        @Override
        public String label() {
            return spec.method() + " merge of " + names(spec.adapters());
        }
    }

    record Delta(String label, ModelDelta delta) implements Composition {
        @Override
        public List<WeightedAdapter> adapters() {
            return List.of();
        }
    }

    static Composition base() {
        return new Base();
    }

    static Composition mix(List<WeightedAdapter> adapters) {
        return new Mix(adapters);
    }

    static Composition route(List<WeightedAdapter> adapters) {
        return new Routed(adapters);
    }

    static Composition merge(MergeSpec spec) {
        return new Merged(spec);
    }

    static Composition delta(String label, ModelDelta delta) {
        return new Delta(label, delta);
    }

    private static List<WeightedAdapter> distinct(List<WeightedAdapter> adapters, String what) {
        if (adapters == null || adapters.isEmpty()) {
            throw new InvalidInputException(what + " needs at least one --adapter PATH[:W]");
        }
        Set<java.nio.file.Path> seen = new HashSet<>();
        for (WeightedAdapter a : adapters) {
            if (!seen.add(a.path().toAbsolutePath().normalize())) {
                throw new InvalidInputException("--adapter " + a.path() + " is given twice; give it once with the "
                        + "combined weight");
            }
        }
        return List.copyOf(adapters);
    }

    private static String names(List<WeightedAdapter> adapters) {
        StringBuilder sb = new StringBuilder();
        for (WeightedAdapter a : adapters) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(a.name());
            if (a.weight() != 1.0) {
                sb.append(':').append(dev.concord.merge.Numbers.format(a.weight()));
            }
        }
        return sb.toString();
    }
}
