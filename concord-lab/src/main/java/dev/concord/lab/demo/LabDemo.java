package dev.concord.lab.demo;

import dev.concord.adapter.LoraAdapter;
import dev.concord.analysis.AnalysisOptions;
import dev.concord.analysis.AnalysisReport;
import dev.concord.analysis.ConflictAnalyzer;
import dev.concord.analysis.NamedAdapter;
import dev.concord.analysis.html.EvaluatedSet;
import dev.concord.lab.eval.EvalReport;
import dev.concord.lab.eval.EvalRequest;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.eval.SkillResult;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.progress.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Concord's story on the lab kit, end to end: for each demo set, predict from the weights (conflict analysis and a
 * recommendation), validate the candidate merges on the validation split and choose ({@link ValidatedChoice}), then
 * score every composition on held-out test items against each skill's own adapter (whose accuracy comes from the
 * kit's eval.json).
 */
public final class LabDemo {
    /** The sets the demo composes, chosen from the kit's pairwise sweep (docs/lab.md, "Which pairs merge"). */
    public static final List<DemoSet> SETS = List.of(
            new DemoSet("Compatible skills", "different tags, different operation families: the best merges hold",
                    List.of("json", "rot3")),
            new DemoSet("Conflicting skills", "opposite shifts of the same letters, built to conflict",
                    List.of("rot3", "unrot3")));

    private LabDemo() {}

    /**
     * Runs the sets and returns what the report shows. {@code onSet} receives each set as soon as it is scored (the
     * command prints its table then).
     */
    public static List<EvaluatedSet> run(LabKit kit, List<DemoSet> sets, int limit, LabEvaluator evaluator, Suite suite,
            Progress progress, Consumer<EvaluatedSet> onSet) {
        List<EvaluatedSet> out = new ArrayList<>();
        for (DemoSet set : sets) {
            List<Path> adapters = set.skills().stream().map(kit::requireAdapter).toList();
            AnalysisReport analysis = analyze(set, adapters, progress);
            DemoComposition choice = ValidatedChoice.choose(adapters, set.skills(),
                    DemoCompositions.candidates(adapters, analysis.composition().recommendation()), evaluator, suite,
                    limit, progress);
            List<EvaluatedSet.Outcome> outcomes = new ArrayList<>();
            for (DemoComposition c : DemoCompositions.of(adapters, choice)) {
                EvalReport r = evaluator.evaluate(EvalRequest.of(c.composition(), suite, Split.TEST)
                        .withSkills(set.skills()).withLimit(limit).withControl(false).withNormalize(true), progress);
                double[] em = new double[set.skills().size()];
                double[] norm = new double[em.length];
                for (int i = 0; i < em.length; i++) {
                    SkillResult s = r.skills().get(set.skills().get(i));
                    em[i] = s.score().exactMatch();
                    norm[i] = s.normalized().orElse(Double.NaN);
                }
                outcomes.add(new EvaluatedSet.Outcome(c.label(), em, norm, c.recommended()));
            }
            EvaluatedSet evaluated = new EvaluatedSet(set.heading(), set.skills(), analysis.composition(), outcomes,
                    choice.label().replaceFirst("^Concord: ", ""));
            onSet.accept(evaluated);
            out.add(evaluated);
        }
        return out;
    }

    private static AnalysisReport analyze(DemoSet set, List<Path> adapters, Progress progress) {
        List<LoraAdapter> open = new ArrayList<>();
        try {
            List<NamedAdapter> named = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) {
                LoraAdapter a = LoraAdapter.load(adapters.get(i));
                open.add(a);
                named.add(new NamedAdapter(set.skills().get(i), a));
            }
            return ConflictAnalyzer.analyze(named, AnalysisOptions.defaults(), progress);
        } finally {
            open.forEach(LoraAdapter::close);
        }
    }
}
