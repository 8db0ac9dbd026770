package dev.concord.merge.lowrank;

import java.util.Locale;

/** Which of LoRA-LEGO's two scale corrections ("dual reweighting") a merge applies. */
enum Reweighting {
    /** Both: centroid norms restored, then the total output energy. The paper's method. */
    DUAL(true, true),
    /** Only the parameter re-weighting (each centroid's factor norms restored to its members' mean). */
    PARAMETER(true, false),
    /** Only the output re-weighting (one common factor on the merged update's energy). */
    OUTPUT(false, true),
    /** Plain cluster means: Σ_j mean(b)·mean(a)ᵀ. */
    NONE(false, false);

    final boolean parameter;
    final boolean output;

    Reweighting(boolean parameter, boolean output) {
        this.parameter = parameter;
        this.output = output;
    }

    static Reweighting of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
