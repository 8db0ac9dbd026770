package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.model.weights.Projection;
import dev.concord.tensor.kernel.ComputePool;

import java.util.ArrayList;
import java.util.List;

/**
 * The gradients of a LoRA adapter's factors once the row passes are done. For a module with input X, output
 * gradient dY and update {@code s·B·A}: with {@code U = X·Aᵀ} and {@code V = dY·B} (both {@code [tokens, rank]}),
 * {@code dB = s·dYᵀ·U} and {@code dA = s·Vᵀ·X}. The products are formed rank-side ({@code Uᵀ·dY}, {@code Vᵀ·X}) so
 * that their long dimension is the vector one.
 *
 * <p>One job per module, each summing over the batch's tokens in order on one thread: the same result for any
 * thread count.
 */
final class LoraGradients {
    private record Job(int layer, Projection projection) {}

    private final LabModelShape shape;
    private final LoraSettings settings;
    private final Activations a;
    private final List<Job> jobs;
    private final float[][] u;
    private final float[][] v;
    private final float[][] aTransposed;
    private final float[][] bGradientTransposed;

    LoraGradients(LabModelShape shape, LoraSettings settings, Activations activations) {
        this.shape = shape;
        this.settings = settings;
        this.a = activations;
        ArrayList<Job> list = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : settings.orderedTargets()) {
                list.add(new Job(l, p));
            }
        }
        this.jobs = List.copyOf(list);
        int r = settings.rank();
        int widest = Math.max(shape.hidden(), Math.max(shape.intermediate(), shape.heads() * shape.headDim()));
        this.u = new float[jobs.size()][activations.capacity * r];
        this.v = new float[jobs.size()][activations.capacity * r];
        this.aTransposed = new float[jobs.size()][widest * r];
        this.bGradientTransposed = new float[jobs.size()][widest * r];
    }

    /** Overwrites every factor gradient in {@code grads}. */
    void compute(PackedBatch batch, LoraWeights lora, LoraWeights grads, ComputePool pool) {
        int n = batch.tokenCount();
        int r = settings.rank();
        float s = (float) settings.scaling();
        pool.run(jobs.size(), i -> {
            Job job = jobs.get(i);
            int l = job.layer;
            Projection p = job.projection;
            int in = LabWeights.inFeatures(shape, p);
            int out = LabWeights.outFeatures(shape, p);
            float[] x = a.input(l, p);
            float[] dy = a.outputGradient(l, p);
            float[] ui = u[i];
            float[] vi = v[i];
            float[] at = aTransposed[i];
            ComputeWeights.transpose(lora.a(l, p), r, in, at);
            Gemm.multiply(n, in, r, x, 0, in, 1, at, 0, r, ui, 0, r, false);
            Gemm.multiply(n, out, r, dy, 0, out, 1, lora.b(l, p), 0, r, vi, 0, r, false);
            float[] dbt = bGradientTransposed[i];
            Gemm.multiply(r, n, out, ui, 0, 1, r, dy, 0, out, dbt, 0, out, false);
            float[] db = grads.b(l, p);
            for (int j = 0; j < r; j++) {
                for (int o = 0; o < out; o++) {
                    db[o * r + j] = s * dbt[j * out + o];
                }
            }
            float[] da = grads.a(l, p);
            Gemm.multiply(r, n, in, vi, 0, 1, r, x, 0, in, da, 0, in, false);
            for (int k = 0; k < da.length; k++) {
                da[k] *= s;
            }
        });
    }
}
