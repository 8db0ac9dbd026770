package dev.concord.lab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.lab.suite.Split;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The result of an {@link EvalRequest}.
 *
 * @param model          the model directory
 * @param suite          where the suite came from
 * @param split          the split scored
 * @param limit          the per-skill item limit, 0 for none
 * @param composition    what was evaluated
 * @param skills         per skill, in the order scored
 * @param meanNormalized the mean of the defined normalized accuracies
 * @param worstSkill     the skill with the lowest normalized accuracy (the first on ties)
 * @param control        the base model's control perplexity, when asked for
 * @param outcomes       every item's outcome, skill by skill
 * @param seconds        wall time of the whole evaluation (merging and reference measurements included)
 * @param scoredItems    items scored, reference measurements included
 * @param scoringSeconds wall time of the forward passes that scored them
 */
public record EvalReport(String model, String suite, Split split, int limit, Composition composition,
        Map<String, SkillResult> skills, OptionalDouble meanNormalized, Optional<WorstSkill> worstSkill,
        Optional<Control> control, List<ItemOutcome> outcomes, double seconds, long scoredItems,
        double scoringSeconds) {
    /** The skill that suffers most under the composition. */
    public record WorstSkill(String name, double normalized) {}

    public EvalReport {
        skills = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(skills));
        outcomes = List.copyOf(outcomes);
    }

    /** Items scored per second of forward passes. */
    public double itemsPerSecond() {
        return scoringSeconds > 0 ? scoredItems / scoringSeconds : 0;
    }

    /** Mean and worst over the skills whose normalized accuracy is defined. */
    static EvalReport summarize(String model, String suite, Split split, int limit, Composition composition,
            Map<String, SkillResult> skills, Optional<Control> control, List<ItemOutcome> outcomes, double seconds,
            long scoredItems, double scoringSeconds) {
        double sum = 0;
        int n = 0;
        WorstSkill worst = null;
        for (Map.Entry<String, SkillResult> e : skills.entrySet()) {
            OptionalDouble v = e.getValue().normalized();
            if (v.isPresent()) {
                sum += v.getAsDouble();
                n++;
                if (worst == null || v.getAsDouble() < worst.normalized()) {
                    worst = new WorstSkill(e.getKey(), v.getAsDouble());
                }
            }
        }
        return new EvalReport(model, suite, split, limit, composition, skills,
                n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n), Optional.ofNullable(worst), control,
                outcomes, seconds, scoredItems, scoringSeconds);
    }

    /** The JSON {@code concord eval --json} prints (item outcomes are left out). */
    public ObjectNode toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("model", model);
        root.put("suite", suite);
        root.put("split", split.id());
        if (limit > 0) {
            root.put("limit", limit);
        } else {
            root.putNull("limit");
        }
        root.put("composition", kind(composition));
        root.put("label", composition.label());
        ArrayNode adapters = root.putArray("adapters");
        for (WeightedAdapter a : composition.adapters()) {
            ObjectNode o = adapters.addObject();
            o.put("path", a.path().toString());
            o.put("name", a.name());
            o.put("weight", a.weight());
        }
        root.put("route", composition instanceof Composition.Routed);
        if (composition instanceof Composition.Merged m) {
            ObjectNode merge = root.putObject("merge");
            merge.put("method", m.spec().method());
            ObjectNode params = merge.putObject("parameters");
            m.spec().parameters().forEach(params::putPOJO);
            merge.put("seed", m.spec().seed());
            merge.put("output", m.spec().output().name().toLowerCase(java.util.Locale.ROOT));
            if (m.spec().rank() != null) {
                merge.put("rank", m.spec().rank());
            } else {
                merge.putNull("rank");
            }
        } else {
            root.putNull("merge");
        }
        ObjectNode skillsNode = root.putObject("skills");
        skills.forEach((name, r) -> {
            ObjectNode s = skillsNode.putObject(name);
            s.put("exact_match", r.score().exactMatch());
            s.put("token_accuracy", r.score().tokenAccuracy());
            s.put("items", r.score().items());
            if (r.reference() != null) {
                if (r.normalized().isPresent()) {
                    s.put("normalized", r.normalized().getAsDouble());
                } else {
                    s.putNull("normalized");
                }
                ObjectNode ref = s.putObject("reference");
                if (r.reference().exactMatch().isPresent()) {
                    ref.put("exact_match", r.reference().exactMatch().getAsDouble());
                    ref.put("items", r.reference().items());
                } else {
                    ref.putNull("exact_match");
                }
                ref.put("source", r.reference().source().id());
                if (r.reference().adapter() != null) {
                    ref.put("adapter", r.reference().adapter().toString());
                } else {
                    ref.putNull("adapter");
                }
            }
        });
        if (meanNormalized.isPresent()) {
            root.put("mean_normalized", meanNormalized.getAsDouble());
        } else {
            root.putNull("mean_normalized");
        }
        if (worstSkill.isPresent()) {
            ObjectNode w = root.putObject("worst_skill");
            w.put("name", worstSkill.get().name());
            w.put("normalized", worstSkill.get().normalized());
        } else {
            root.putNull("worst_skill");
        }
        if (control.isPresent()) {
            Control c = control.get();
            ObjectNode o = root.putObject("control");
            o.put("perplexity", c.perplexity());
            o.put("tokens", c.tokens());
            o.put("examples", c.examples());
            o.put("seed", c.seed());
            o.put("stream", c.stream());
            o.put("model", "base");
        } else {
            root.putNull("control");
        }
        root.put("items", outcomes.size());
        root.put("seconds", seconds);
        root.put("items_per_second", itemsPerSecond());
        return root;
    }

    static String kind(Composition c) {
        return switch (c) {
            case Composition.Base b -> "base";
            case Composition.Mix m -> "mix";
            case Composition.Routed r -> "route";
            case Composition.Merged m -> "merge";
            case Composition.Delta d -> "delta";
        };
    }
}
