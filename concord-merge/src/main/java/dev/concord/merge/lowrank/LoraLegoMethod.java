package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.ops.MaskRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lora_lego}: LoRA-LEGO. Every adapter is split into rank-one units ({@link SemanticUnits}), the units of
 * all adapters are clustered with seeded, sign-invariant k-means into k = {@code --rank} groups (default: the
 * module's largest input rank), and each group becomes one unit of the merged rank-k update, with the paper's
 * parameter and output re-weighting ({@link LegoMerge}). Ranks may differ between adapters.
 */
public final class LoraLegoMethod implements MergeMethod {
    /** Salt of the k-means++ draws. */
    static final long STREAM_LEGO = 0x1E60L;

    private static final List<ParameterDef> PARAMETERS =
            List.of(LowRankParameters.legoRank(), LowRankParameters.reweight());

    @Override
    public String name() {
        return "lora_lego";
    }

    @Override
    public String summary() {
        return "LoRA-LEGO: k-means of all rank-one units into --rank clusters (0 = largest input rank)";
    }

    @Override
    public String reference() {
        return "Zhao et al. 2025, Merging LoRAs like Playing LEGO (arXiv 2409.16167); no public code, formulas in"
                + " docs/merge-methods.md";
    }

    @Override
    public List<ParameterDef> parameters() {
        return PARAMETERS;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        List<TaskVector> taus = new ArrayList<>(in.count());
        for (int i = 0; i < in.count(); i++) {
            taus.add(in.taskVector(i));
        }
        SemanticUnits units = SemanticUnits.of(taus, in.weights(), in.rows(), in.cols(), in.module());
        if (units.count() == 0) {
            return MergedFactors.zero(in.rows(), in.cols());
        }
        int asked = in.params().integer(LowRankParameters.RANK);
        int k = asked > 0 ? asked : Math.max(1, in.maxInputRank());
        LegoMerge.Factors f = LegoMerge.merge(units, k,
                Reweighting.of(in.params().choice(LowRankParameters.REWEIGHT)),
                MaskRandom.of(in.seed(), STREAM_LEGO, in.module(), 0));
        return MergedFactors.of(f.left(), f.right(), 1.0);
    }
}
