package dev.concord.merge.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sign election and disjoint merge of TIES on a stack of already-sparsified task vectors, element by element.
 *
 * <p>For each position j with entries t_i (unweighted, as trimmed) and weights w_i: the ballot entry is
 * e_i = t_i (PEFT: unweighted election) or w_i·t_i (mergekit: weighted election); the elected sign is + when
 * Σ e_i ≥ 0 ({@link MajoritySign#TOTAL}) or Σ sign(e_i) ≥ 0 ({@link MajoritySign#FREQUENCY}), − otherwise; entry i
 * agrees when sign(e_i) equals the elected sign (so zeros never agree); the result is Σ_agree w_i·t_i divided as
 * {@link DisjointMean} says. Arithmetic is float32, lane-parallel (the Vector API); the scalar tail repeats the
 * lanes' operations in the same order, so a position's result never depends on where it falls in a block.
 */
public record TiesConsensus(MajoritySign majority, boolean weightedElection, DisjointMean disjoint) {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final float ONE = 1f;

    /** PEFT's {@code ties}: total, unweighted election, count divisor. */
    public static TiesConsensus peft(MajoritySign majority) {
        return new TiesConsensus(majority, false, DisjointMean.COUNT);
    }

    /**
     * Merges {@code len} positions: out[outOff + j] = consensus of stack[i][off + j] over the tasks i.
     * A null row in the stack is a task that is absent here (an all-zero tensor), which never votes.
     */
    public void combine(float[][] stack, int off, int len, double[] weights, float[] out, int outOff) {
        // Compact the present tasks once, and hoist every mode decision out of the element loop.
        int n = 0;
        for (float[] s : stack) {
            if (s != null) {
                n++;
            }
        }
        float[][] t = new float[n][];
        float[] w = new float[n];
        float[] ballotScale = new float[n];
        float[] divisorWeight = new float[n];
        for (int i = 0, k = 0; i < stack.length; i++) {
            if (stack[i] != null) {
                t[k] = stack[i];
                w[k] = (float) weights[i];
                ballotScale[k] = weightedElection ? (float) weights[i] : 1f;
                divisorWeight[k] = disjoint == DisjointMean.WEIGHT ? (float) weights[i] : 1f;
                k++;
            }
        }
        boolean total = majority == MajoritySign.TOTAL;
        int step = SPECIES.length();
        int j = 0;
        for (; j + step <= len; j += step) {
            FloatVector ballot = FloatVector.zero(SPECIES);
            for (int i = 0; i < n; i++) {
                FloatVector e = FloatVector.fromArray(SPECIES, t[i], off + j).mul(ballotScale[i]);
                if (total) {
                    ballot = ballot.add(e);
                } else {
                    ballot = ballot.add(ONE, e.compare(VectorOperators.GT, 0f))
                            .sub(ONE, e.compare(VectorOperators.LT, 0f));
                }
            }
            VectorMask<Float> plus = ballot.compare(VectorOperators.GE, 0f);
            FloatVector sum = FloatVector.zero(SPECIES);
            FloatVector divisor = FloatVector.zero(SPECIES);
            for (int i = 0; i < n; i++) {
                FloatVector x = FloatVector.fromArray(SPECIES, t[i], off + j);
                FloatVector e = x.mul(ballotScale[i]);
                VectorMask<Float> agree = e.compare(VectorOperators.GT, 0f).and(plus)
                        .or(e.compare(VectorOperators.LT, 0f).andNot(plus));
                sum = sum.add(x.mul(w[i]), agree);
                divisor = divisor.add(divisorWeight[i], agree);
            }
            FloatVector v = switch (disjoint) {
                case COUNT -> sum.div(divisor.max(1f));
                case WEIGHT -> sum.div(divisor.blend(1f, divisor.compare(VectorOperators.EQ, 0f)));
                case SUM -> sum;
            };
            v.intoArray(out, outOff + j);
        }
        // The tail does the same float operations in the same order, so it matches the lanes bit for bit.
        for (; j < len; j++) {
            float ballot = 0f;
            for (int i = 0; i < n; i++) {
                float e = t[i][off + j] * ballotScale[i];
                ballot = total ? ballot + e : (e > 0f ? ballot + 1f : ballot) - (e < 0f ? 1f : 0f);
            }
            boolean plus = ballot >= 0f;
            float sum = 0f;
            float divisor = 0f;
            for (int i = 0; i < n; i++) {
                float x = t[i][off + j];
                float e = x * ballotScale[i];
                if (plus ? e > 0f : e < 0f) {
                    sum = sum + x * w[i];
                    divisor = divisor + divisorWeight[i];
                }
            }
            out[outOff + j] = switch (disjoint) {
                case COUNT -> sum / Math.max(divisor, 1f);
                case WEIGHT -> sum / (divisor == 0f ? 1f : divisor);
                case SUM -> sum;
            };
        }
    }
}
