package dev.concord.lab.calibrate;

import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.engine.SequenceInput;
import dev.concord.model.weights.ModelWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the calibration prompts through a model and reads its last-layer outputs: the logits at every position of
 * every prompt. Prompts go through the engine in batches of about {@value #BATCH_TOKENS} tokens; the engine's
 * results do not depend on the batch, so neither does anything computed here.
 */
final class LogitProbe {
    static final int BATCH_TOKENS = 512;

    private final List<int[]> prompts;
    private final EngineOptions options;

    LogitProbe(List<int[]> prompts, EngineOptions options) {
        this.prompts = List.copyOf(prompts);
        this.options = options;
    }

    int tokens() {
        int n = 0;
        for (int[] p : prompts) {
            n += p.length;
        }
        return n;
    }

    /** Each prompt's logits, [its tokens, vocab] row-major, in prompt order. */
    List<float[]> logits(ModelWeights weights) {
        List<float[]> out = new ArrayList<>(prompts.size());
        run(weights, (index, logits) -> out.add(logits));
        return out;
    }

    /**
     * The mean over positions and vocabulary entries of (z − z_ref)², where z are {@code weights}' logits and
     * z_ref the {@code reference} ones; summed in double in a fixed order.
     */
    double meanSquaredChange(ModelWeights weights, List<float[]> reference) {
        double[] sum = new double[1];
        long[] count = new long[1];
        run(weights, (index, logits) -> {
            float[] ref = reference.get(index);
            double s = 0;
            for (int i = 0; i < logits.length; i++) {
                double d = (double) logits[i] - ref[i];
                s += d * d;
            }
            sum[0] += s;
            count[0] += logits.length;
        });
        return sum[0] / count[0];
    }

    private interface LogitsConsumer {
        void accept(int prompt, float[] logits);
    }

    private void run(ModelWeights weights, LogitsConsumer consumer) {
        try (InferenceEngine engine = new InferenceEngine(weights, options)) {
            int next = 0;
            while (next < prompts.size()) {
                int from = next;
                int tokens = 0;
                while (next < prompts.size() && (next == from || tokens + prompts.get(next).length <= BATCH_TOKENS)) {
                    tokens += prompts.get(next).length;
                    next++;
                }
                List<Sequence> sequences = new ArrayList<>();
                try {
                    List<SequenceInput> inputs = new ArrayList<>();
                    for (int i = from; i < next; i++) {
                        Sequence s = engine.newSequence();
                        sequences.add(s);
                        inputs.add(SequenceInput.all(s, prompts.get(i)));
                    }
                    List<float[]> logits = engine.forward(inputs);
                    for (int i = from; i < next; i++) {
                        consumer.accept(i, logits.get(i - from));
                    }
                } finally {
                    sequences.forEach(Sequence::close);
                }
            }
        }
    }
}
