package dev.concord.lab.eval;

import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeInputs;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.Merger;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModulePlan;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.output.AdapterOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link MergeSpec} with concord-merge's own planner and method classes (the code {@code concord merge}
 * runs, parameters checked the same way) and keeps the result in memory instead of writing files. The
 * {@link MergeSpec.Output#ADAPTER adapter} form goes through {@link AdapterOutput}, so a dense result is cut to a
 * rank exactly as {@code concord merge --format adapter} would write it.
 */
public final class InMemoryMerge {
    private InMemoryMerge() {}

    public static ModelDelta run(MergeSpec spec, int threads, Progress progress) {
        MergeMethod method = MethodRegistry.get(spec.method());
        List<AdapterInput> inputs = spec.adapters().stream().map(WeightedAdapter::toMergeInput).toList();
        Merger merger = new Merger(method, new FixedParameters(spec.parameters(), inputs), spec.seed(), threads,
                progress);
        try (MergeInputs opened = MergeInputs.open(inputs)) {
            List<ModulePlan> plans = merger.plan(opened, new ArrayList<>(opened.modules().keySet()));
            ModelDelta.Builder delta = ModelDelta.builder();
            if (spec.output() == MergeSpec.Output.ADAPTER) {
                AdapterOutput adapter = new AdapterOutput(method, spec.rank());
                merger.run(plans, adapter);
                adapter.modules().forEach(w -> delta.add(w.module(), w.tau()));
            } else {
                merger.run(plans, new Merger.Output<FloatMatrix>() {
                    @Override
                    public FloatMatrix finish(ModuleInputs module, ModuleResult result) {
                        return dense(result);
                    }

                    @Override
                    public void write(ModuleInputs module, FloatMatrix finished) {
                        delta.add(module.module(), finished);
                    }
                });
            }
            return delta.build();
        }
    }

    /** The merged update as one dense matrix (runs on a merge worker, so densifying is parallel). */
    public static FloatMatrix dense(ModuleResult result) {
        int rows = result.rows();
        int cols = result.cols();
        float[] all = new float[Math.multiplyExact(rows, cols)];
        switch (result) {
            case ModuleResult.LowRank lr when lr.dense() == null ->
                    dev.concord.merge.DenseRows.of(lr.tau(), 0, rows, all, 0);
            // a weighted sum reads as the sum of its terms (τ − τ is then exactly zero)
            case ModuleResult.LowRank lr -> lr.dense().forEachBlock((start, block) ->
                    System.arraycopy(block.data(), 0, all, start * cols, block.data().length));
            case ModuleResult.Dense d -> d.source().forEachBlock((start, block) ->
                    System.arraycopy(block.data(), 0, all, start * cols, block.data().length));
        }
        return new FloatMatrix(rows, cols, all);
    }
}
