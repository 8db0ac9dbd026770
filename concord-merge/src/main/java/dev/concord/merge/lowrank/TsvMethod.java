package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.tensor.linalg.LowRank;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tsv}: Task Singular Vectors merge (TSV-M) of the weighted task vectors w_i·τ_i, times λ; see
 * {@link TsvMerge}. The result stays factored, of rank Σ_t k_t; an adapter output keeps it exactly unless
 * {@code --rank} asks for less.
 */
public final class TsvMethod implements MergeMethod {
    private static final List<ParameterDef> PARAMETERS =
            List.of(LowRankParameters.tsvKeep(), LowRankParameters.lambda());

    @Override
    public String name() {
        return "tsv";
    }

    @Override
    public String summary() {
        return "Task Singular Vectors (TSV-M), stays low-rank; --tsv-keep 0 keeps each task's whole rank";
    }

    @Override
    public String reference() {
        return "Gargiulo et al. 2025, Task Singular Vectors (arXiv 2412.00081), official code's TSV-M";
    }

    @Override
    public List<ParameterDef> parameters() {
        return PARAMETERS;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        List<LowRank> taus = new ArrayList<>();
        for (int i = 0; i < in.count(); i++) {
            TaskVector t = in.taskVector(i);
            double c = t == null ? 0 : in.weight(i) * t.scale();
            if (c != 0 && t.rank() > 0) {
                taus.add(LowRank.of(t.left(), t.right(), c));
            }
        }
        LowRank f = TsvMerge.merge(taus, in.rows(), in.cols(), in.params().integer(LowRankParameters.TSV_KEEP),
                in.module());
        return MergedFactors.of(f.leftAsFloat(), f.rightAsFloat(), in.params().number("lambda"));
    }
}
