package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import java.util.List;

/**
 * {@code linear}: Σ_i w_i·τ_i, exact, kept factored (rank concatenation). In a merge.yaml, mergekit's
 * {@code normalize} (default true there) divides by Σ_i w_i.
 */
public final class LinearMethod implements MergeMethod {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public String summary() {
        return "sum_i w_i tau_i, exact (ranks concatenated)";
    }

    @Override
    public String reference() {
        return "PEFT task_arithmetic / mergekit linear (Wortsman et al. 2022, model soups)";
    }

    @Override
    public List<ParameterDef> parameters() {
        return List.of(CommonParameters.normalize());
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        double[] c = in.weights();
        if (in.params().choice("normalize").equals("true")) {
            double n = LinearSums.normalizer(in);
            for (int i = 0; i < c.length; i++) {
                c[i] /= n;
            }
        }
        return LinearSums.result(in, c);
    }
}
