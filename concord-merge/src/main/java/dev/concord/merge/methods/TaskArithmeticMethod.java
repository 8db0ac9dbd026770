package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import java.util.List;

/** {@code task_arithmetic}: λ·Σ_i w_i·τ_i (Ilharco et al. 2023), exact and factored. */
public final class TaskArithmeticMethod implements MergeMethod {
    @Override
    public String name() {
        return "task_arithmetic";
    }

    @Override
    public String summary() {
        return "lambda * sum_i w_i tau_i, exact (ranks concatenated)";
    }

    @Override
    public String reference() {
        return "Ilharco et al. 2023, Editing models with task arithmetic; mergekit task_arithmetic";
    }

    @Override
    public List<ParameterDef> parameters() {
        return List.of(CommonParameters.lambda(), CommonParameters.normalize());
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        double[] c = in.weights();
        double lambda = in.params().number("lambda");
        double n = in.params().choice("normalize").equals("true") ? LinearSums.normalizer(in) : 1.0;
        for (int i = 0; i < c.length; i++) {
            c[i] = lambda * c[i] / n;
        }
        return LinearSums.result(in, c);
    }
}
