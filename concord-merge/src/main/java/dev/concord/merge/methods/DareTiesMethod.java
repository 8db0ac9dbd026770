package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/** {@code dare_ties}: DARE's random drop and rescale, then TIES' sign election and disjoint mean, times λ. */
public final class DareTiesMethod extends ElementwiseMethod {
    public DareTiesMethod() {
        super("dare_ties", "drop entries at random (keep density), rescale, then TIES sign election and disjoint mean",
                "Yu et al. 2023, DARE; PEFT merge_utils.dare_ties, mergekit dare_ties", true,
                List.of(CommonParameters.density(0.1), CommonParameters.dareRescale()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return DareLinearMethod.dare(in, i);
    }
}
