package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.model.weights.Projection;

/**
 * The optional L2 penalty on an adapter's update, {@code λ·Σ ||s·B·A||²_F} over its modules (the regulariser
 * DAREx-L2 proposes), computed without forming {@code B·A}: {@code ||B·A||²_F = tr((BᵀB)(AAᵀ))}, a sum over
 * {@code rank × rank} Gram matrices. Its gradients are {@code 2λs²·B·(AAᵀ)} for B and {@code 2λs²·(BᵀB)·A} for A.
 */
final class LoraPenalty {
    private LoraPenalty() {}

    /** Returns the penalty and adds its gradient to {@code grads} (when {@code lambda} is 0: returns 0, adds nothing). */
    static double apply(LoraWeights lora, double lambda, LoraWeights grads) {
        if (lambda == 0) {
            return 0;
        }
        LabModelShape shape = lora.shape();
        int r = lora.settings().rank();
        double s2 = lora.settings().scaling() * lora.settings().scaling();
        double total = 0;
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : lora.settings().orderedTargets()) {
                int in = LabWeights.inFeatures(shape, p);
                int out = LabWeights.outFeatures(shape, p);
                float[] a = lora.a(l, p);
                float[] b = lora.b(l, p);
                double[] aat = gram(a, r, in, true);
                double[] btb = gram(b, out, r, false);
                double trace = 0;
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < r; j++) {
                        trace += btb[i * r + j] * aat[j * r + i];
                    }
                }
                total += trace;
                double k = 2 * lambda * s2;
                float[] ga = grads.a(l, p);
                float[] gb = grads.b(l, p);
                for (int o = 0; o < out; o++) {
                    for (int j = 0; j < r; j++) {
                        double sum = 0;
                        for (int i = 0; i < r; i++) {
                            sum += b[o * r + i] * aat[i * r + j];
                        }
                        gb[o * r + j] += (float) (k * sum);
                    }
                }
                for (int i = 0; i < r; i++) {
                    for (int c = 0; c < in; c++) {
                        double sum = 0;
                        for (int j = 0; j < r; j++) {
                            sum += btb[i * r + j] * a[j * in + c];
                        }
                        ga[i * in + c] += (float) (k * sum);
                    }
                }
            }
        }
        return lambda * s2 * total;
    }

    /**
     * {@code M·Mᵀ} of a row-major {@code [rows, cols]} matrix when {@code byRows}, else {@code Mᵀ·M}; in double.
     */
    private static double[] gram(float[] m, int rows, int cols, boolean byRows) {
        int k = byRows ? rows : cols;
        double[] g = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                if (byRows) {
                    for (int c = 0; c < cols; c++) {
                        sum += (double) m[i * cols + c] * m[j * cols + c];
                    }
                } else {
                    for (int row = 0; row < rows; row++) {
                        sum += (double) m[row * cols + i] * m[row * cols + j];
                    }
                }
                g[i * k + j] = sum;
            }
        }
        return g;
    }
}
