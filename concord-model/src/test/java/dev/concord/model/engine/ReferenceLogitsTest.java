package dev.concord.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.model.engine.ModelRuntime.LoraMode;
import dev.concord.model.lora.AdapterSpec;
import dev.concord.model.weights.Quantization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Concord's logits against the committed reference logits (scripts/reference/reference_forward.py: an independent
 * plain-torch float32 implementation of transformers' Llama / Mistral / Qwen2 forward with PEFT LoRA), for every
 * architecture, weight dtype and adapter case, in three ways: the whole sequence in one step, prefill then
 * one-token decode steps through the paged cache, and adapters merged into the weights.
 *
 * <p>Tolerance: max |concord - reference| over all positions and vocabulary entries must stay below
 * {@value #TOLERANCE} times max(1, max |reference logit|). Both sides compute in float32 from the same widened
 * weights, so the difference is float rounding only (summation order, exp/cos implementations): a real semantic
 * mistake (wrong RoPE half, mask off by one, missing bias or scaling) moves logits by 0.1 to 10.
 */
class ReferenceLogitsTest {
    static final double TOLERANCE = 2e-5;

    static Stream<ReferenceCases.Case> cases() {
        return ReferenceCases.all().stream();
    }

    private static List<AdapterSpec> specs(ReferenceCases.Case c) {
        return c.adapters().stream().map(a -> new AdapterSpec(a.path(), a.weight())).toList();
    }

    private static EngineOptions options() {
        return EngineOptions.defaults().withThreads(2).withKvBlockSize(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wholeSequenceInOneStep(ReferenceCases.Case c) {
        float[] expected = c.referenceLogits();
        try (ModelRuntime rt = ModelRuntime.open(c.model(), specs(c), Quantization.NONE, LoraMode.UNMERGED, options());
                Sequence s = rt.newSequence()) {
            float[] actual = rt.engine().forwardAll(s, c.tokens());
            assertClose(c.name() + " one step", actual, expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void prefillThenDecodeThroughTheCache(ReferenceCases.Case c) {
        float[] expected = c.referenceLogits();
        int[] tokens = c.tokens();
        int prefill = tokens.length / 2 - 1;
        try (ModelRuntime rt = ModelRuntime.open(c.model(), specs(c), Quantization.NONE, LoraMode.UNMERGED, options());
                Sequence s = rt.newSequence()) {
            List<float[]> parts = new ArrayList<>();
            parts.add(rt.engine().forwardAll(s, Arrays.copyOfRange(tokens, 0, prefill)));
            for (int t = prefill; t < tokens.length; t++) {
                parts.add(rt.engine().forwardLast(s, tokens[t]));
            }
            assertClose(c.name() + " decode", concat(parts), expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void adaptersMergedIntoTheWeights(ReferenceCases.Case c) {
        if (c.adapters().isEmpty()) {
            return;
        }
        float[] expected = c.referenceLogits();
        try (ModelRuntime rt = ModelRuntime.open(c.model(), specs(c), Quantization.NONE, LoraMode.MERGED, options());
                Sequence s = rt.newSequence()) {
            assertClose(c.name() + " merged", rt.engine().forwardAll(s, c.tokens()), expected);
        }
    }

    static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double diff = maxDiff(actual, expected);
        double scale = Math.max(1, maxAbs(expected));
        System.out.printf("%-32s max|diff| %.3e  relative %.3e%n", what, diff, diff / scale);
        assertThat(diff / scale).as(what + ": max |diff| " + diff + " vs logit scale " + scale)
                .isLessThanOrEqualTo(TOLERANCE);
    }
}
