package dev.concord.lab.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp} on float vectors from IEEE additions, multiplications and fused multiply-adds only, so that it gives
 * the same bits whether the JIT compiled the caller or not (the Vector API's own {@code EXP} may call a native
 * library once compiled and a Java fallback before, which would make training depend on JIT timing).
 *
 * <p>Method: clamp x to [−87, 88] (the float range), split {@code x = n·ln2 + r} with n the nearest integer to
 * {@code x/ln2} (rounded with the 1.5·2²³ trick) and ln2 in two parts (Cody–Waite), evaluate the degree-7 Taylor
 * polynomial of {@code e^r} for |r| ≤ ln2/2 (truncation below 1e-8, so about one ulp), and scale by 2ⁿ through the
 * exponent bits.
 */
final class VectorExp {
    private static final VectorSpecies<Float> F = Gemm.F;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.length() == F.length()
            ? IntVector.SPECIES_PREFERRED : jdk.incubator.vector.VectorSpecies.of(int.class, F.vectorShape());
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private VectorExp() {}

    static FloatVector exp(FloatVector x) {
        x = x.max(-87f).min(88f);
        FloatVector t = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND));
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, 1f / 5040);
        p = p.fma(r, FloatVector.broadcast(F, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        IntVector k = (IntVector) t.reinterpretShape(I, 0);
        IntVector scale = k.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul((FloatVector) scale.reinterpretShape(F, 0));
    }
}
