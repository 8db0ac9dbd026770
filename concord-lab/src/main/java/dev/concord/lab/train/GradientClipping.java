package dev.concord.lab.train;

import java.util.List;

/**
 * Global gradient-norm clipping as torch's {@code clip_grad_norm_}: the norm of all gradients together; when it
 * exceeds {@code maxNorm}, every gradient is multiplied by {@code maxNorm / (norm + 1e-6)}. The norm is summed in
 * double over the tensors in their given order, so it does not depend on threads.
 */
final class GradientClipping {
    private GradientClipping() {}

    /** Clips in place and returns the norm before clipping. */
    static double clip(List<NamedTensor> gradients, double maxNorm) {
        double squares = 0;
        for (NamedTensor g : gradients) {
            for (float x : g.values()) {
                squares += (double) x * x;
            }
        }
        double norm = Math.sqrt(squares);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            float c = (float) coefficient;
            for (NamedTensor g : gradients) {
                float[] v = g.values();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= c;
                }
            }
        }
        return norm;
    }
}
