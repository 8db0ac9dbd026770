package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/** {@code darex_ties}: DAREx-q's drop and 1/q rescale, then TIES' sign election and disjoint mean. */
public final class DarexTiesMethod extends ElementwiseMethod {
    public DarexTiesMethod() {
        super("darex_ties", "DARE drop (keep density) with 1/q rescale, then TIES sign election and disjoint mean",
                "Deng et al. 2024, DARE the Extreme (DAREx-q) with TIES", true,
                List.of(CommonParameters.density(0.1), CommonParameters.q()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return DarexMethod.darex(in, i);
    }
}
