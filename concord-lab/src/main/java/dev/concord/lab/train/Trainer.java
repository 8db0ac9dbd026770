package dev.concord.lab.train;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.tensor.kernel.ComputePool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains the lab's Llama on packed batches: either every base parameter ({@link #full}) or only the factors of a
 * LoRA adapter over a frozen base ({@link #lora}). A step runs each batch row forward and backward on the compute
 * threads, then the weight gradients, the global-norm clipping, and AdamW with the warm-up/cosine schedule.
 *
 * <p>Deterministic: every sum has a fixed order that does not depend on the threads (rows and weight-gradient jobs
 * write disjoint outputs; sums across them run in a fixed order on one thread), so a run gives the same weights
 * bit for bit for any thread count.
 *
 * <p>The parameters are trained in place: the {@link LabWeights} / {@link LoraWeights} given are the ones updated.
 */
public final class Trainer implements AutoCloseable {
    private final LabModelShape shape;
    private final LabWeights base;
    private final LoraWeights lora;
    private final LabWeights baseGradients;
    private final LoraWeights loraGradients;
    private final TrainingSettings settings;
    private final ComputePool pool;
    private final ComputeWeights compute;
    private final RotaryTable rope;
    private final Activations activations;
    private final RowPasses passes;
    private final WeightGradients weightGradients;
    private final LoraGradients factorGradients;
    private final List<NamedTensor> gradients;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private int stepIndex;

    private Trainer(LabWeights base, LoraWeights lora, TrainingSettings settings, int threads) {
        this.shape = base.shape();
        if (settings.rowTokens() > LabTokenizerFiles.MODEL_MAX_LENGTH) {
            throw new InvalidInputException("rows of " + settings.rowTokens() + " tokens are longer than the lab "
                    + "model's context of " + LabTokenizerFiles.MODEL_MAX_LENGTH);
        }
        if (threads < 1) {
            throw new InvalidInputException("thread count must be at least 1, got " + threads);
        }
        requireMemory(shape, settings.batchRows(), settings.rowTokens());
        this.base = base;
        this.lora = lora;
        this.settings = settings;
        this.pool = new ComputePool(threads);
        this.compute = new ComputeWeights(shape, lora == null ? 0 : lora.settings().rank());
        this.rope = new RotaryTable(shape.headDim(), LabModelShape.ROPE_THETA, LabTokenizerFiles.MODEL_MAX_LENGTH);
        this.activations = new Activations(shape, settings.batchRows(), settings.rowTokens());
        this.passes = new RowPasses(shape, compute, activations, rope);
        List<NamedTensor> trainable;
        if (lora == null) {
            this.baseGradients = LabWeights.zeros(shape);
            this.loraGradients = null;
            this.weightGradients = new WeightGradients(shape, activations);
            this.factorGradients = null;
            trainable = base.tensors();
            this.gradients = baseGradients.tensors();
        } else {
            if (!lora.shape().equals(shape)) {
                throw new InvalidInputException("the adapter was made for " + lora.shape() + ", the base is " + shape);
            }
            this.baseGradients = null;
            this.loraGradients = LoraWeights.zeros(shape, lora.settings());
            this.weightGradients = null;
            this.factorGradients = new LoraGradients(shape, lora.settings(), activations);
            trainable = lora.tensors();
            this.gradients = loraGradients.tensors();
        }
        this.optimizer = new AdamW(trainable, gradients, settings.beta1(), settings.beta2(),
                TrainingSettings.ADAM_EPS, settings.weightDecay());
        this.schedule = new LearningRateSchedule(settings.peakLr(), settings.warmupSteps(), settings.steps(),
                settings.minLrFraction());
    }

    /** Trains every parameter of {@code weights} (in place). */
    public static Trainer full(LabWeights weights, TrainingSettings settings, int threads) {
        return new Trainer(weights, null, settings, threads);
    }

    /** Trains the factors of {@code adapter} (in place) over the frozen {@code base}. */
    public static Trainer lora(LabWeights base, LoraWeights adapter, TrainingSettings settings, int threads) {
        return new Trainer(base, adapter, settings, threads);
    }

    private static void requireMemory(LabModelShape shape, int rows, int rowTokens) {
        long bytes = Activations.bytesFor(shape, rows, rowTokens);
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            throw new ResourceException("training batches of " + rows + " rows of " + rowTokens + " tokens need about "
                    + (bytes >> 20) + " MiB of activations, but only " + (available >> 20) + " MiB of heap are free "
                    + "(raise -Xmx or use fewer rows)", null);
        }
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** Compute threads, the caller included. */
    public int threads() {
        return pool.threads();
    }

    /** Steps taken so far. */
    public int stepsTaken() {
        return stepIndex;
    }

    /** Runs the phase's remaining steps on batches from {@code packer}, reporting each to {@code listener}. */
    public TrainingResult run(BatchPacker packer, TrainingListener listener) {
        int steps = settings.steps();
        long tokens = 0;
        double first = Double.NaN;
        double[] recent = new double[Math.min(TrainingResult.FINAL_WINDOW, steps)];
        long start = System.nanoTime();
        int done = 0;
        while (stepIndex < steps) {
            StepReport report = step(packer.next());
            if (done == 0) {
                first = report.loss();
            }
            recent[done % recent.length] = report.loss();
            done++;
            tokens += report.tokens();
            listener.onStep(report);
        }
        double finalLoss = 0;
        int window = Math.min(done, recent.length);
        for (int i = 0; i < window; i++) {
            finalLoss += recent[i];
        }
        finalLoss = window == 0 ? Double.NaN : finalLoss / window;
        return new TrainingResult(done, tokens, first, finalLoss, (System.nanoTime() - start) / 1e9);
    }

    /** One optimizer step on {@code batch} at the schedule's current learning rate. */
    public StepReport step(PackedBatch batch) {
        long start = System.nanoTime();
        double loss = lossAndGradients(batch);
        double norm = GradientClipping.clip(gradients, settings.clipNorm());
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            throw new ConcordException("training diverged at step " + (stepIndex + 1) + ": loss " + loss
                    + ", gradient norm " + norm + " (lower the learning rate)");
        }
        double lr = schedule.at(stepIndex);
        optimizer.step(lr);
        stepIndex++;
        return new StepReport(stepIndex, settings.steps(), loss, norm, lr, batch.tokenCount(),
                System.nanoTime() - start);
    }

    /**
     * Runs {@code batch} forward and backward and leaves the gradients of the trainable parameters in place (not
     * clipped). Returns the mean cross-entropy over the batch's targets, plus the L2 penalty of a LoRA update.
     */
    double lossAndGradients(PackedBatch batch) {
        if (batch.rows() > settings.batchRows() || batch.rowTokens() > settings.rowTokens()) {
            throw new IllegalArgumentException("batch of " + batch.rows() + " rows of " + batch.rowTokens()
                    + " exceeds the trainer's " + settings.batchRows() + " rows of " + settings.rowTokens());
        }
        if (batch.targetCount() == 0) {
            throw new InvalidInputException("a training batch has no answer tokens to learn");
        }
        compute.refresh(base, lora, pool);
        float scale = 1f / batch.targetCount();
        double[] rowLoss = new double[batch.rows()];
        boolean full = lora == null;
        pool.run(batch.rows(), b -> {
            rowLoss[b] = passes.forward(batch, b, scale);
            passes.backward(batch, b, full);
        });
        double loss = 0;
        for (double l : rowLoss) {
            loss += l;
        }
        loss /= batch.targetCount();
        if (full) {
            weightGradients.compute(batch, baseGradients, pool);
        } else {
            factorGradients.compute(batch, lora, loraGradients, pool);
            loss += LoraPenalty.apply(lora, settings.deltaL2(), loraGradients);
        }
        return loss;
    }

    /** The gradients {@link #lossAndGradients} left, in the order of the trainable tensors. */
    List<NamedTensor> gradients() {
        return gradients;
    }

    /**
     * The logits at every position of each sequence (ids including BOS) under the current parameters, adapter
     * included: {@code [length, vocab]} row-major per sequence.
     */
    public List<float[]> logits(List<int[]> sequences) {
        List<TrainingExample> examples = new ArrayList<>();
        for (int[] s : sequences) {
            if (s.length == 0 || s.length > rope.positions()) {
                throw new InvalidInputException("a sequence of " + s.length + " tokens: the lab model takes 1 to "
                        + rope.positions());
            }
            examples.add(TrainingExample.untargeted(s));
        }
        PackedBatch batch = PackedBatch.ofSequences(examples);
        compute.refresh(base, lora, pool);
        Activations scratch = new Activations(shape, batch.rows(), batch.rowTokens());
        RowPasses forward = new RowPasses(shape, compute, scratch, rope);
        pool.run(batch.rows(), b -> forward.forward(batch, b, 0f));
        List<float[]> out = new ArrayList<>();
        int vocab = LabVocabulary.SIZE;
        for (int b = 0; b < batch.rows(); b++) {
            int from = batch.rowStart[b] * vocab;
            out.add(Arrays.copyOfRange(scratch.logits, from, from + batch.rowLength(b) * vocab));
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
