package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import java.util.List;

/**
 * {@code cat}: the same sum as {@code linear}, Σ_i w_i·τ_i, but always written as the rank-concatenated factors
 * (PEFT's {@code cat} combination), even when {@code --rank} is given.
 */
public final class CatMethod implements MergeMethod {
    @Override
    public String name() {
        return "cat";
    }

    @Override
    public String summary() {
        return "sum_i w_i tau_i written as concatenated factors (rank = sum of ranks), never truncated";
    }

    @Override
    public String reference() {
        return "PEFT add_weighted_adapter(combination_type=\"cat\")";
    }

    @Override
    public List<ParameterDef> parameters() {
        return List.of();
    }

    @Override
    public boolean keepsFullRank() {
        return true;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        return LinearSums.result(in, in.weights());
    }
}
