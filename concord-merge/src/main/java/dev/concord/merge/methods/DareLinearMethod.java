package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.RandomDrop;
import dev.concord.merge.elementwise.Rescale;
import dev.concord.merge.elementwise.Sparsifier;
import dev.concord.merge.ops.MaskRandom;
import java.util.List;

/** {@code dare_linear} (Yu et al. 2023): random drop with keep probability density, rescale, weighted sum, times λ. */
public final class DareLinearMethod extends ElementwiseMethod {
    public DareLinearMethod() {
        super("dare_linear", "drop entries at random (keep density), rescale by 1/density, weighted sum",
                "Yu et al. 2023, DARE; PEFT merge_utils.dare_linear, mergekit dare_linear (rescale l1)", false,
                List.of(CommonParameters.density(0.1), CommonParameters.dareRescale()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return dare(in, i);
    }

    static Sparsifier dare(ModuleInputs in, int i) {
        return new RandomDrop(rng(in, MaskRandom.STREAM_DARE, i), in.params().number("density", i),
                Rescale.of(in.params().choice("dare_rescale")), 0);
    }
}
