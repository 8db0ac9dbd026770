package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/** {@code magnitude_prune}: Σ_i w_i·trim(τ_i), times λ (PEFT merge_utils.magnitude_prune). */
public final class MagnitudePruneMethod extends ElementwiseMethod {
    public MagnitudePruneMethod() {
        super("magnitude_prune", "trim each task vector to its top-k magnitudes, then the weighted sum",
                "PEFT merge_utils.magnitude_prune", false,
                List.of(CommonParameters.density(0.2), CommonParameters.trimScope()));
    }

    @Override
    public boolean needsModelScope(ModuleParameters params) {
        return params.choice("trim_scope").equals("model");
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return TiesMethod.trim(in, i);
    }
}
