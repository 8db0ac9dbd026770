package dev.concord.merge.ops;

/**
 * mergekit's {@code rescaled_masked_tensor} with the L1 norm: after masking, multiply the whole tensor by
 * ‖τ‖₁ / ‖mask ⊙ τ‖₁ so that its L1 norm is restored; when either norm is below 1e-7 the masked tensor is left
 * as it is (mergekit's guard against dividing by nothing).
 */
public final class L1Rescale {
    static final double EPSILON = 1e-7;

    private L1Rescale() {}

    /** The factor from the two norms. */
    public static double factor(double normBefore, double normAfter) {
        if (normBefore < EPSILON || normAfter < EPSILON) {
            return 1.0;
        }
        return normBefore / normAfter;
    }
}
