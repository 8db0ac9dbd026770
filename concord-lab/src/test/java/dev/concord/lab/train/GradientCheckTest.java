package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.lab.model.LabModelShape;
import dev.concord.model.weights.Projection;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Compares every parameter's analytic gradient with a central finite difference of the loss. The model computes
 * in float32, so each check uses a directional derivative along a random unit direction over the whole tensor
 * (a signal far above float rounding) with a relative tolerance.
 */
class GradientCheckTest {
    private static final double H = 1e-2;
    private static final double TOLERANCE = 2e-2;

    private static List<float[]> copies(List<NamedTensor> tensors) {
        List<float[]> out = new ArrayList<>();
        for (NamedTensor t : tensors) {
            out.add(t.values().clone());
        }
        return out;
    }

    /** Checks tensor by tensor: Σ g·u against (f(θ + hu) − f(θ − hu)) / 2h. */
    private static void check(List<NamedTensor> parameters, List<float[]> gradients, DoubleSupplier loss,
            SplittableRandom r) {
        for (int i = 0; i < parameters.size(); i++) {
            float[] p = parameters.get(i).values();
            float[] g = gradients.get(i);
            double[] u = new double[p.length];
            double norm = 0;
            for (int j = 0; j < u.length; j++) {
                u[j] = r.nextGaussian();
                norm += u[j] * u[j];
            }
            norm = Math.sqrt(norm);
            double analytic = 0;
            for (int j = 0; j < u.length; j++) {
                u[j] /= norm;
                analytic += g[j] * u[j];
            }
            float[] original = p.clone();
            for (int j = 0; j < p.length; j++) {
                p[j] = (float) (original[j] + H * u[j]);
            }
            double plus = loss.getAsDouble();
            for (int j = 0; j < p.length; j++) {
                p[j] = (float) (original[j] - H * u[j]);
            }
            double minus = loss.getAsDouble();
            System.arraycopy(original, 0, p, 0, p.length);
            double numeric = (plus - minus) / (2 * H);
            String name = parameters.get(i).name();
            assertThat(Math.abs(analytic)).as("%s: gradient along the direction is non-trivial", name)
                    .isGreaterThan(1e-3);
            assertThat(Math.abs(numeric - analytic)).as("%s: analytic %s, finite difference %s", name, analytic,
                    numeric).isLessThanOrEqualTo(TOLERANCE * Math.abs(analytic));
        }
    }

    @Test
    void fullTrainingGradientsOfEveryParameterMatchFiniteDifferences() {
        LabWeights w = LabWeights.initialized(TinyModels.TINY, 3);
        TinyModels.scaleMatrices(w, 15);
        PackedBatch batch = TinyModels.batch();
        try (Trainer t = Trainer.full(w, TinyModels.settings(2, 32, 1000, 1e-3, 0), 2)) {
            t.lossAndGradients(batch);
            List<float[]> gradients = copies(t.gradients());
            check(w.tensors(), gradients, () -> t.lossAndGradients(batch), new SplittableRandom(11));
        }
    }

    @Test
    void loraFactorGradientsOfEveryProjectionMatchFiniteDifferences() {
        checkLora(0.0);
    }

    @Test
    void theL2PenaltyOnTheUpdateHasTheGradientOfItsValue() {
        checkLora(0.05);
    }

    private static void checkLora(double lambda) {
        LabModelShape shape = TinyModels.TINY;
        LabWeights base = LabWeights.initialized(shape, 5);
        TinyModels.scaleMatrices(base, 15);
        LoraSettings settings = new LoraSettings(3, 6, EnumSet.allOf(Projection.class));
        LoraWeights lora = LoraWeights.initialized(shape, settings, 9);
        SplittableRandom r = new SplittableRandom(13);
        for (NamedTensor f : lora.tensors()) {
            if (f.name().endsWith("lora_B")) {
                TinyModels.randomize(f.values(), 0.3, r);
            }
        }
        PackedBatch batch = TinyModels.batch();
        TrainingSettings ts = TinyModels.settings(2, 32, 1000, 1e-3, 0).withDeltaL2(lambda);
        try (Trainer t = Trainer.lora(base, lora, ts, 2)) {
            double withPenalty = t.lossAndGradients(batch);
            List<float[]> gradients = copies(t.gradients());
            check(lora.tensors(), gradients, () -> t.lossAndGradients(batch), r);
            if (lambda > 0) {
                double without;
                try (Trainer plain = Trainer.lora(base, lora, ts.withDeltaL2(0), 1)) {
                    without = plain.lossAndGradients(batch);
                }
                double penalty = LoraPenalty.apply(lora, lambda, LoraWeights.zeros(shape, settings));
                assertThat(penalty).isGreaterThan(1e-3);
                assertThat(withPenalty - without).isCloseTo(penalty, org.assertj.core.data.Offset.offset(1e-6));
                // the penalty alone, checked against a brute-force ||s·B·A||² with the product formed
                assertThat(penalty).isCloseTo(bruteForcePenalty(lora, lambda),
                        org.assertj.core.data.Percentage.withPercentage(1e-6));
                // and its gradient alone against finite differences of its value (next to the cross-entropy's
                // its gradient is small, so a larger λ makes every module's part clearly measurable)
                double strong = 100 * lambda;
                LoraWeights penaltyGradients = LoraWeights.zeros(shape, settings);
                LoraPenalty.apply(lora, strong, penaltyGradients);
                check(lora.tensors(), copies(penaltyGradients.tensors()),
                        () -> LoraPenalty.apply(lora, strong, LoraWeights.zeros(shape, settings)), r);
            }
        }
    }

    private static double bruteForcePenalty(LoraWeights lora, double lambda) {
        LabModelShape shape = lora.shape();
        int r = lora.settings().rank();
        double s = lora.settings().scaling();
        double total = 0;
        for (int l = 0; l < shape.layers(); l++) {
            for (Projection p : lora.settings().orderedTargets()) {
                int in = LabWeights.inFeatures(shape, p);
                int out = LabWeights.outFeatures(shape, p);
                for (int o = 0; o < out; o++) {
                    for (int c = 0; c < in; c++) {
                        double x = 0;
                        for (int j = 0; j < r; j++) {
                            x += (double) lora.b(l, p)[o * r + j] * lora.a(l, p)[j * in + c];
                        }
                        total += s * s * x * x;
                    }
                }
            }
        }
        return lambda * total;
    }
}
