package dev.concord.lab.demo;

import dev.concord.analysis.Recommendation;
import dev.concord.lab.eval.Composition;
import dev.concord.lab.eval.MergeSpec;
import dev.concord.lab.eval.WeightedAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compositions the demo compares for one set, in table order: the base alone; the naive factor-wise merge most
 * tools do (PEFT's {@code linear} on LoRA: sums of A and of B, whose product carries cross terms); linear averaging;
 * TIES; TSV; Concord's choice (see {@link ValidatedChoice}); and routing, which keeps every adapter exact and is
 * the yardstick.
 */
public final class DemoCompositions {
    /** TIES keeps this fraction of each task vector's entries (the TIES paper's default). */
    static final double TIES_DENSITY = 0.2;

    private DemoCompositions() {}

    /**
     * The table's rows. {@code choice} is Concord's pick (a merge, or routing), made by {@link ValidatedChoice} from
     * the analyzer's recommendation and the candidates' scores on the validation split.
     */
    public static List<DemoComposition> of(List<Path> adapters, DemoComposition choice) {
        List<DemoComposition> rows = new ArrayList<>();
        rows.add(new DemoComposition("base model", Composition.base(), false));
        rows.add(new DemoComposition("naive factor-wise (PEFT linear)",
                Composition.merge(MergeSpec.of("peft_linear", weighted(adapters, 1.0), Map.of())), false));
        rows.addAll(usualMerges(adapters));
        boolean serve = choice.composition() instanceof Composition.Routed;
        if (!serve) {
            rows.add(choice);
        }
        rows.add(new DemoComposition(serve ? choice.label() : "serve separately (route)", route(adapters), serve));
        return rows;
    }

    /** The merges Concord weighs for a set: the analyzer's recommendation (when it says merge) and the usual methods. */
    public static List<DemoComposition> candidates(List<Path> adapters, Recommendation recommendation) {
        List<DemoComposition> out = new ArrayList<>();
        if (Recommendation.MERGE.equals(recommendation.action())) {
            out.add(new DemoComposition(describe(recommendation) + " (analyzer)", recommended(adapters, recommendation),
                    false));
        }
        out.addAll(usualMerges(adapters));
        return out;
    }

    /** Linear averaging (weights 1/n), TIES and TSV (weights 1). */
    static List<DemoComposition> usualMerges(List<Path> adapters) {
        List<WeightedAdapter> full = weighted(adapters, 1.0);
        Map<String, Object> ties = new LinkedHashMap<>();
        ties.put("density", TIES_DENSITY);
        return List.of(
                new DemoComposition("linear average", Composition.merge(
                        MergeSpec.of("linear", weighted(adapters, 1.0 / adapters.size()), Map.of())), false),
                new DemoComposition(String.format(Locale.ROOT, "ties (density %.1f)", TIES_DENSITY),
                        Composition.merge(MergeSpec.of("ties", full, ties)), false),
                new DemoComposition("tsv", Composition.merge(MergeSpec.of("tsv", full, Map.of())), false));
    }

    /** Serving the adapters separately: each skill's prompts with its own adapter. */
    public static Composition route(List<Path> adapters) {
        return Composition.route(weighted(adapters, 1.0));
    }

    /** The analyzer's merge as an in-memory merge: its parameters, with per-adapter weights and seed pulled out. */
    static Composition recommended(List<Path> adapters, Recommendation rec) {
        Map<String, Object> params = new LinkedHashMap<>(rec.parameters());
        Object weights = params.remove("weights");
        Object seed = params.remove("seed");
        List<WeightedAdapter> inputs = new ArrayList<>();
        for (Path p : adapters) {
            double w = 1.0;
            if (weights instanceof Map<?, ?> m && m.get(p.getFileName().toString()) instanceof Number num) {
                w = num.doubleValue();
            }
            inputs.add(WeightedAdapter.of(p, w));
        }
        long s = seed instanceof Number num ? num.longValue() : 0L;
        return Composition.merge(new MergeSpec(rec.method(), inputs, params, s, MergeSpec.Output.DELTA, null));
    }

    static String describe(Recommendation rec) {
        Object weights = rec.parameters().get("weights");
        if (weights instanceof Map<?, ?> m && !m.isEmpty()) {
            Object any = m.values().iterator().next();
            boolean same = m.values().stream().allMatch(v -> v.equals(any));
            return rec.method() + (same ? " × " + any : " (reweighted)");
        }
        Object density = rec.parameters().get("density");
        return rec.method() + (density == null ? "" : " (density " + density + ")");
    }

    private static List<WeightedAdapter> weighted(List<Path> adapters, double w) {
        return adapters.stream().map(p -> WeightedAdapter.of(p, w)).toList();
    }
}
