package dev.concord.merge;

/**
 * One module as planned before any computing: where it comes from, its relative depth, its resolved and checked
 * parameters and the adapters' weights on it.
 */
public record ModulePlan(MergeInputs.ModuleSlot slot, double depth, ModuleParameters params, double[] weights) {
    public ModulePlan {
        weights = weights.clone();
    }

    public String name() {
        return slot.name();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }
}
