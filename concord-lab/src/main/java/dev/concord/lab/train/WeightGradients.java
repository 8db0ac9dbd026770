package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.ComputePool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The gradients of all base parameters once the row passes are done: {@code dW = dYᵀ·X} over the batch's tokens
 * for every projection and for the tied output layer, the norm weights as the sum of the rows' partials, and the
 * embedding rows of the batch's tokens.
 *
 * <p>The matrix products are cut into jobs of {@link #ROWS_PER_JOB} output rows; each job sums over every token
 * of the batch in token order, so no element is ever split between threads and the result is the same for any
 * thread count. The sums over rows (norms) and tokens (embedding scatter) run on one thread in a fixed order.
 */
final class WeightGradients {
    static final int ROWS_PER_JOB = 32;
    static final int TOKENS_PER_BLOCK = 128;

    private record Job(int layer, Projection projection, int rowFrom, int rowTo) {}

    private final LabModelShape shape;
    private final Activations a;
    private final List<Job> jobs = new ArrayList<>();

    WeightGradients(LabModelShape shape, Activations activations) {
        this.shape = shape;
        this.a = activations;
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : Projection.values()) {
                addJobs(l, p, LabWeights.outFeatures(shape, p));
            }
        }
        addJobs(-1, null, LabVocabulary.SIZE);
    }

    private void addJobs(int layer, Projection p, int rows) {
        for (int r = 0; r < rows; r += ROWS_PER_JOB) {
            jobs.add(new Job(layer, p, r, Math.min(rows, r + ROWS_PER_JOB)));
        }
    }

    /** Overwrites every entry of {@code grads} with the gradient of the step whose passes filled the activations. */
    void compute(PackedBatch batch, LabWeights grads, ComputePool pool) {
        int n = batch.tokenCount();
        pool.run(jobs.size(), i -> {
            Job job = jobs.get(i);
            if (job.layer < 0) {
                product(a.logits, LabVocabulary.SIZE, a.hFinal, shape.hidden(), grads.embedding, n, job);
            } else {
                Projection p = job.projection;
                product(a.outputGradient(job.layer, p), LabWeights.outFeatures(shape, p), a.input(job.layer, p),
                        LabWeights.inFeatures(shape, p), grads.projections[job.layer][p.ordinal()], n, job);
            }
        });
        int d = shape.hidden();
        for (int l = 0; l < shape.layers(); l++) {
            sumRows(a.dInputNorm[l], batch.rows(), d, grads.inputNorm[l]);
            sumRows(a.dPostNorm[l], batch.rows(), d, grads.postNorm[l]);
        }
        sumRows(a.dFinalNorm, batch.rows(), d, grads.finalNorm);
        for (int t = 0; t < n; t++) {
            int to = batch.tokens[t] * d;
            int from = t * d;
            for (int i = 0; i < d; i++) {
                grads.embedding[to + i] += a.dEmbedded[from + i];
            }
        }
    }

    /**
     * {@code grad[rows of job] = dYᵀ·X} over {@code n} tokens, in blocks of {@link #TOKENS_PER_BLOCK} tokens so that a
     * block's 64-column panel of X stays in L1 while every row quad of the job passes over it. Each element's sum
     * still runs over the tokens in order (a block continues from the previous block's value), so blocking changes
     * nothing in the result.
     */
    private static void product(float[] dy, int out, float[] x, int in, float[] grad, int n, Job job) {
        int rows = job.rowTo - job.rowFrom;
        for (int t = 0; t < n; t += TOKENS_PER_BLOCK) {
            int count = Math.min(TOKENS_PER_BLOCK, n - t);
            Gemm.multiply(rows, count, in, dy, job.rowFrom + t * out, 1, out, x, t * in, in, grad, job.rowFrom * in,
                    in, t > 0);
        }
    }

    private static void sumRows(float[] partials, int rows, int width, float[] out) {
        Arrays.fill(out, 0f);
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < width; i++) {
                out[i] += partials[b * width + i];
            }
        }
    }
}
