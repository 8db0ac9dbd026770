package dev.concord.lab.calibrate;

import dev.concord.lab.eval.InMemoryMerge;
import dev.concord.lab.eval.ModelDelta;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.MergeInputs;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.Merger;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModulePlan;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterSource;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * A merge computed in memory with concord-merge's own planner and method classes — the code {@code concord merge}
 * runs, with the same parameter checks, masks and seed — kept as one dense float32 update per module ([out, in],
 * the base weight's layout) instead of being written out.
 *
 * @param delta the merged update of every module any input adapter targets, in merge order
 * @param keepProbability the smallest density any module and adapter resolved to (1 when the method has none)
 */
record MergedDelta(ModelDelta delta, double keepProbability) {
    static MergedDelta compute(MergeMethod method, List<AdapterInput> adapters, ParameterSource parameters, long seed,
            int threads, Progress progress) {
        Merger merger = new Merger(method, parameters, seed, threads, progress);
        try (MergeInputs inputs = MergeInputs.open(adapters)) {
            List<ModulePlan> plans = merger.plan(inputs, new ArrayList<>(inputs.modules().keySet()));
            double keep = 1;
            for (ModulePlan p : plans) {
                if (p.params().has("density")) {
                    for (int i = 0; i < adapters.size(); i++) {
                        keep = Math.min(keep, p.params().number("density", i));
                    }
                }
            }
            ModelDelta.Builder delta = ModelDelta.builder();
            merger.run(plans, new Merger.Output<FloatMatrix>() {
                @Override
                public FloatMatrix finish(ModuleInputs module, ModuleResult result) {
                    return InMemoryMerge.dense(result);
                }

                @Override
                public void write(ModuleInputs module, FloatMatrix finished) {
                    delta.add(module.module(), finished);
                }
            });
            return new MergedDelta(delta.build(), keep);
        }
    }
}
