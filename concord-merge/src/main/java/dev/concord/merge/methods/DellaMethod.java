package dev.concord.merge.methods;

import dev.concord.error.InvalidInputException;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.Numbers;
import dev.concord.merge.elementwise.BandScope;
import dev.concord.merge.elementwise.DellaDrop;
import dev.concord.merge.elementwise.Rescale;
import dev.concord.merge.elementwise.Sparsifier;
import dev.concord.merge.ops.MaskRandom;
import java.util.List;

/**
 * {@code della} (Deep et al. 2024): MAGPRUNE — keep probabilities ranked by magnitude within density ± epsilon per
 * row, survivors rescaled by 1/p — then TIES' sign election and disjoint mean, times λ.
 */
public class DellaMethod extends ElementwiseMethod {
    public DellaMethod() {
        this("della", "magnitude-ranked random drop (p in density +- epsilon per row, rescale 1/p), then TIES consensus",
                "Deep et al. 2024, DELLA-Merging; mergekit della", true);
    }

    DellaMethod(String name, String summary, String reference, boolean consensus) {
        super(name, summary, reference, consensus, List.of(CommonParameters.density(0.2), CommonParameters.epsilon(0.1),
                CommonParameters.scope(), CommonParameters.dareRescale()));
    }

    @Override
    public void check(ModuleParameters p, String module) {
        for (int i = 0; i < p.adapters(); i++) {
            double d = p.number("density", i);
            double e = p.number("epsilon", i);
            if (d - e <= 0 || d + e > 1) {
                throw new InvalidInputException("della needs 0 < density - epsilon and density + epsilon <= 1, got density "
                        + Numbers.format(d) + " and epsilon " + Numbers.format(e) + " (module " + module + ")");
            }
        }
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        ModuleParameters p = in.params();
        return new DellaDrop(rng(in, MaskRandom.STREAM_DELLA, i), p.number("density", i), p.number("epsilon", i),
                BandScope.of(p.choice("scope")), Rescale.of(p.choice("dare_rescale")));
    }
}
