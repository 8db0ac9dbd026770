package dev.concord.merge.methods;

/** {@code della_linear}: DELLA's MAGPRUNE drop and 1/p rescale, then the weighted sum, times λ. */
public final class DellaLinearMethod extends DellaMethod {
    public DellaLinearMethod() {
        super("della_linear", "magnitude-ranked random drop (p in density +- epsilon per row, rescale 1/p), weighted sum",
                "Deep et al. 2024, DELLA-Merging; mergekit della_linear", false);
    }
}
