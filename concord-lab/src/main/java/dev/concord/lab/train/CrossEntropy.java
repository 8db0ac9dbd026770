package dev.concord.lab.train;

/**
 * Softmax cross-entropy of one position's logits against its target, and the gradient of the batch's mean loss
 * with respect to those logits, written over them in place.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Returns {@code logsumexp(z) − z[target]} and replaces z by {@code (softmax(z) − onehot(target)) · scale}.
     */
    static double lossAndGradient(float[] z, int off, int vocab, int target, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, z[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(z[off + i] - max);
        }
        double logSum = Math.log(sum);
        double loss = max + logSum - z[off + target];
        for (int i = 0; i < vocab; i++) {
            float p = (float) Math.exp(z[off + i] - max - logSum);
            z[off + i] = p * scale;
        }
        z[off + target] -= scale;
        return loss;
    }
}
