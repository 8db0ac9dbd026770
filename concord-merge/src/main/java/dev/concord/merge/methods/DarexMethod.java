package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.RandomDrop;
import dev.concord.merge.elementwise.Rescale;
import dev.concord.merge.elementwise.Sparsifier;
import dev.concord.merge.ops.MaskRandom;
import java.util.List;

/**
 * {@code darex} (DAREx-q, Deng et al. 2024): DARE's drop with keep probability density, survivors rescaled by
 * 1/q instead of 1/density, then the weighted sum. q is required here; choosing it without labels needs a model.
 */
public final class DarexMethod extends ElementwiseMethod {
    public DarexMethod() {
        super("darex", "DARE drop (keep density) with survivors rescaled by 1/q, weighted sum",
                "Deng et al. 2024, DARE the Extreme (DAREx-q)", false,
                List.of(CommonParameters.density(0.1), CommonParameters.q()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return darex(in, i);
    }

    static Sparsifier darex(ModuleInputs in, int i) {
        return new RandomDrop(rng(in, MaskRandom.STREAM_DARE, i), in.params().number("density", i), Rescale.NONE,
                in.params().number("q"));
    }
}
