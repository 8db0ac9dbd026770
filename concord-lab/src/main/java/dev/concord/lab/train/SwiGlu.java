package dev.concord.lab.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SiLU-gated product of Llama's MLP, {@code act = silu(gate) ⊙ up} with {@code silu(g) = g / (1 + e^−g)}, and
 * its gradient, on vectors (the exponentials dominate the MLP's element-wise work; {@link VectorExp} keeps them
 * deterministic). Tails use masked vectors, so every element goes through the same operations.
 */
final class SwiGlu {
    private static final VectorSpecies<Float> F = Gemm.F;
    private static final int L = F.length();
    private static final VectorMask<Float> ALL = F.maskAll(true);

    private SwiGlu() {}

    static void forward(float[] gate, float[] up, float[] act, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            silu(g).mul(FloatVector.fromArray(F, up, i)).intoArray(act, i);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector g = FloatVector.fromArray(F, gate, i, m);
            silu(g).mul(FloatVector.fromArray(F, up, i, m)).intoArray(act, i, m);
        }
    }

    private static FloatVector silu(FloatVector g) {
        return g.div(VectorExp.exp(g.neg()).add(1f));
    }

    /**
     * From {@code dAct} writes the gradients of gate and up at {@code [from, to)}: {@code dUp = dAct·silu(g)},
     * {@code dGate = dAct·up·σ(g)(1 + g(1 − σ(g)))}.
     */
    static void backward(float[] gate, float[] up, float[] dAct, float[] dGate, float[] dUp, int from, int to) {
        for (int i = from; i < to; i += L) {
            // all-true for every full vector; indexInRange only costs where a tail is possible
            VectorMask<Float> m = i + L <= to ? ALL : F.indexInRange(i, to);
            FloatVector g = FloatVector.fromArray(F, gate, i, m);
            FloatVector d = FloatVector.fromArray(F, dAct, i, m);
            FloatVector sigmoid = FloatVector.broadcast(F, 1f).div(VectorExp.exp(g.neg()).add(1f));
            d.mul(g.mul(sigmoid)).intoArray(dUp, i, m);
            FloatVector slope = sigmoid.mul(g.mul(sigmoid.neg().add(1f)).add(1f));
            d.mul(FloatVector.fromArray(F, up, i, m)).mul(slope).intoArray(dGate, i, m);
        }
    }
}
