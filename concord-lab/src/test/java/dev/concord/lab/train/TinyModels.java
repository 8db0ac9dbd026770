package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;

import java.util.List;
import java.util.SplittableRandom;

/** Small shapes, batches and settings for the trainer's tests. */
final class TinyModels {
    /** Two layers, hidden 16 in four heads of 4 sharing two key/value heads (so GQA is exercised), SwiGLU 24. */
    static final LabModelShape TINY = new LabModelShape(16, 2, 4, 2, 24);

    private TinyModels() {}

    /** Two rows: the first packs two examples, the second one; positions restart, padding differs per row. */
    static PackedBatch batch() {
        return PackedBatch.of(List.of(
                List.of(TrainingExample.of("<rot3>ab cd\n", "de fg"), TrainingExample.of("<add>12+39\n", "51")),
                List.of(TrainingExample.of("<sort>dcba\n", "abcd"))), 32);
    }

    static TrainingSettings settings(int rows, int rowTokens, long tokens, double lr, int warmup) {
        return new TrainingSettings(tokens, lr, rows, rowTokens, warmup, 0.0, 0.1, 1.0, 0.9, 0.95, 0.0);
    }

    /** Multiplies every matrix by {@code factor}: larger weights give gradients well above float noise. */
    static void scaleMatrices(LabWeights w, float factor) {
        for (NamedTensor t : w.tensors()) {
            if (t.shape().length == 2) {
                float[] v = t.values();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= factor;
                }
            }
        }
    }

    /** Fills every entry with draws from N(0, std²) (B factors start at zero, which would hide A's gradient). */
    static void randomize(float[] v, double std, SplittableRandom r) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
    }
}
