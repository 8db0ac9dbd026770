package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.elementwise.MagnitudeTrim;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/**
 * {@code ties} (Yadav et al. 2023): trim each τ_i to its int(density·numel) largest magnitudes, elect a sign per
 * position, average the agreeing weighted entries, times λ. Defaults are PEFT's merge_utils {@code ties}.
 */
public final class TiesMethod extends ElementwiseMethod {
    public TiesMethod() {
        super("ties", "trim to top-k magnitudes, elect signs, disjoint mean of agreeing entries",
                "Yadav et al. 2023, TIES-Merging; PEFT merge_utils.ties (defaults), mergekit ties (options)", true,
                List.of(CommonParameters.density(0.2), CommonParameters.trimScope()));
    }

    @Override
    public boolean needsModelScope(ModuleParameters params) {
        return params.choice("trim_scope").equals("model");
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return trim(in, i);
    }

    /** The trim of adapter i: per tensor, or from the whole-model cut when the model scope is on. */
    static Sparsifier trim(ModuleInputs in, int i) {
        if (in.modelScope() != null) {
            return new MagnitudeTrim(in.modelScope().cut(i), in.modelScope().offset(i));
        }
        double density = in.params().number("density", i);
        return density >= 1 ? Sparsifier.IDENTITY : new MagnitudeTrim(density);
    }
}
