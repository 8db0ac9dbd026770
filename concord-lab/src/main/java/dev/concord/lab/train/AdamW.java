package dev.concord.lab.train;

import java.util.List;

/**
 * AdamW as torch implements it ({@code torch.optim.AdamW}, not fused): decoupled weight decay
 * {@code p ← p·(1 − lr·wd)}, then {@code m ← β1·m + (1 − β1)·g}, {@code v ← β2·v + (1 − β2)·g²} and
 * {@code p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)}. One state per parameter tensor,
 * in the order the tensors were given.
 */
final class AdamW {
    private final List<NamedTensor> parameters;
    private final List<NamedTensor> gradients;
    private final float[][] m;
    private final float[][] v;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private int step;

    AdamW(List<NamedTensor> parameters, List<NamedTensor> gradients, double beta1, double beta2, double eps,
            double weightDecay) {
        if (parameters.size() != gradients.size()) {
            throw new IllegalArgumentException("one gradient per parameter: " + parameters.size() + " vs "
                    + gradients.size());
        }
        this.parameters = List.copyOf(parameters);
        this.gradients = List.copyOf(gradients);
        this.m = new float[parameters.size()][];
        this.v = new float[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            m[i] = new float[parameters.get(i).values().length];
            v[i] = new float[parameters.get(i).values().length];
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Applies one update with learning rate {@code lr} to every parameter. */
    void step(double lr) {
        step++;
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        float decay = (float) (1 - lr * weightDecay);
        float stepSize = (float) (lr / correction1);
        float sqrtCorrection2 = (float) Math.sqrt(correction2);
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float e = (float) eps;
        for (int i = 0; i < parameters.size(); i++) {
            float[] p = parameters.get(i).values();
            float[] g = gradients.get(i).values();
            float[] mi = m[i];
            float[] vi = v[i];
            for (int j = 0; j < p.length; j++) {
                float gj = g[j];
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                float denominator = (float) Math.sqrt(vi[j]) / sqrtCorrection2 + e;
                p[j] = p[j] * decay - stepSize * mi[j] / denominator;
            }
        }
    }

    int steps() {
        return step;
    }
}
