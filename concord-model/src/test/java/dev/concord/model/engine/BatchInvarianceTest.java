package dev.concord.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.weights.ModelWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sequence's logits are bitwise the same whether it runs alone (GEMV decode steps) or batched with other
 * sequences that use other adapters, other weights, other lengths, prefill next to decode, in any order, split
 * into steps in any way, with any thread count, and however far the JIT has compiled the code.
 */
class BatchInvarianceTest {
    static ModelWeights weights;
    static AdapterWeights a;
    static AdapterWeights b;
    static AdapterWeights c;

    @BeforeAll
    static void load() {
        weights = ModelWeights.load(ReferenceCases.model("llama-f32"));
        a = AdapterWeights.load(ReferenceCases.adapter("llama-a-f32"), weights.config(), Optional.empty());
        b = AdapterWeights.load(ReferenceCases.adapter("llama-b-bf16"), weights.config(), Optional.empty());
        c = AdapterWeights.load(ReferenceCases.adapter("llama-c-f16"), weights.config(), Optional.empty());
    }

    @AfterAll
    static void close() {
        weights.close();
    }

    record Request(AdapterMix mix, int[] prompt, int[] continuation) {}

    static List<Request> requests() {
        return List.of(
                new Request(AdapterMix.NONE, new int[] {256, 1, 2, 3, 4, 5, 6}, new int[] {7, 8, 9}),
                new Request(AdapterMix.single(a), new int[] {256, 40, 41}, new int[] {42, 43, 44}),
                new Request(AdapterMix.of(List.of(new AdapterMix.Entry(b, 0.5f), new AdapterMix.Entry(a, 0.7f))),
                        new int[] {256, 100, 120, 140, 160, 180, 200, 220, 240, 260}, new int[] {10, 20, 30}),
                new Request(AdapterMix.of(List.of(new AdapterMix.Entry(c, -0.5f), new AdapterMix.Entry(b, 1f))),
                        new int[] {256, 7}, new int[] {77, 78, 79}),
                new Request(AdapterMix.single(a), new int[] {256, 90, 91, 92, 93}, new int[] {94, 95, 96}));
    }

    /** Each request alone: prompt in one step (all logits), then one token per step. */
    static List<float[]> solo(InferenceEngine engine, Request r) {
        List<float[]> out = new ArrayList<>();
        try (Sequence s = engine.newSequence(r.mix())) {
            out.add(engine.forwardAll(s, r.prompt()));
            for (int t : r.continuation()) {
                out.add(engine.forwardLast(s, t));
            }
        }
        return out;
    }

    /** All requests together: every step batches all sequences; inputs listed in the given order. */
    static List<List<float[]>> batched(InferenceEngine engine, List<Request> rs, int[] listOrder) {
        List<Sequence> seqs = rs.stream().map(r -> engine.newSequence(r.mix())).toList();
        List<List<float[]>> out = new ArrayList<>();
        rs.forEach(r -> out.add(new ArrayList<>()));
        try {
            List<SequenceInput> step = new ArrayList<>();
            for (int i : listOrder) {
                step.add(SequenceInput.all(seqs.get(i), rs.get(i).prompt()));
            }
            collect(engine.forward(step), listOrder, out);
            for (int t = 0; t < 3; t++) {
                step.clear();
                for (int i : listOrder) {
                    step.add(SequenceInput.last(seqs.get(i), rs.get(i).continuation()[t]));
                }
                collect(engine.forward(step), listOrder, out);
            }
        } finally {
            seqs.forEach(Sequence::close);
        }
        return out;
    }

    private static void collect(List<float[]> results, int[] listOrder, List<List<float[]>> out) {
        for (int k = 0; k < listOrder.length; k++) {
            out.get(listOrder[k]).add(results.get(k));
        }
    }

    @Test
    void batchedSequencesMatchSoloRunsBitwise() {
        List<Request> rs = requests();
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(2))) {
            List<List<float[]>> solo = rs.stream().map(r -> solo(engine, r)).toList();
            for (int[] order : new int[][] {{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}}) {
                List<List<float[]>> batched = batched(engine, rs, order);
                for (int i = 0; i < rs.size(); i++) {
                    for (int step = 0; step < solo.get(i).size(); step++) {
                        assertThat(batched.get(i).get(step)).as("request %d step %d, order %s", i, step,
                                Arrays.toString(order)).isEqualTo(solo.get(i).get(step));
                    }
                }
            }
            assertThat(engine.kvPool().usedBlocks()).as("every block returned").isZero();
        }
    }

    @Test
    void prefillNextToDecodeAndChunkedPrefillAreInvariant() {
        List<Request> rs = requests();
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(2))) {
            List<float[]> solo = solo(engine, rs.get(2));
            // request 2 decodes while request 0 prefills its prompt in two chunks and request 3 joins late
            Request r = rs.get(2);
            try (Sequence s = engine.newSequence(r.mix());
                    Sequence other = engine.newSequence(rs.get(0).mix());
                    Sequence late = engine.newSequence(rs.get(3).mix())) {
                float[] prompt = engine.forwardAll(s, r.prompt());
                assertThat(prompt).isEqualTo(solo.get(0));
                List<float[]> step1 = engine.forward(List.of(SequenceInput.all(other, 256, 1, 2),
                        SequenceInput.last(s, r.continuation()[0])));
                assertThat(step1.get(1)).isEqualTo(solo.get(1));
                List<float[]> step2 = engine.forward(List.of(SequenceInput.last(s, r.continuation()[1]),
                        SequenceInput.all(other, 3, 4, 5, 6), SequenceInput.all(late, rs.get(3).prompt())));
                assertThat(step2.get(0)).isEqualTo(solo.get(2));
                assertThat(engine.forwardLast(s, r.continuation()[2])).isEqualTo(solo.get(3));
            }
        }
    }

    @Test
    void tokenByTokenEqualsWholePromptBitwise() {
        Request r = requests().get(2);
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(2))) {
            float[] whole;
            try (Sequence s = engine.newSequence(r.mix())) {
                whole = engine.forwardAll(s, r.prompt());
            }
            List<float[]> steps = new ArrayList<>();
            try (Sequence s = engine.newSequence(r.mix())) {
                for (int t : r.prompt()) {
                    steps.add(engine.forwardLast(s, t));
                }
            }
            assertThat(ReferenceLogitsTest.concat(steps)).isEqualTo(whole);
        }
    }

    /**
     * The first results of a fresh engine come from interpreted or lightly compiled code, later ones from fully
     * optimised code: they must agree bitwise too (a Vector API lane reduction, for one, may sum in another order
     * once intrinsified). Runs the same mixed step many times against a solo result taken while cold.
     */
    @Test
    void resultsDoNotChangeAsTheJitWarmsUp() {
        List<Request> rs = requests();
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(2))) {
            List<float[]> cold = solo(engine, rs.get(0));
            for (int it = 0; it < 150; it++) {
                try (Sequence s = engine.newSequence(rs.get(0).mix());
                        Sequence other = engine.newSequence(rs.get(2).mix())) {
                    List<float[]> step = engine.forward(List.of(SequenceInput.all(other, rs.get(2).prompt()),
                            SequenceInput.all(s, rs.get(0).prompt())));
                    assertThat(step.get(1)).as("iteration %d", it).isEqualTo(cold.get(0));
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Request r = requests().get(3);
        List<float[]> one;
        List<float[]> two;
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(1))) {
            one = solo(engine, r);
        }
        try (InferenceEngine engine = new InferenceEngine(weights, EngineOptions.defaults().withThreads(3))) {
            two = solo(engine, r);
        }
        for (int i = 0; i < one.size(); i++) {
            assertThat(two.get(i)).isEqualTo(one.get(i));
        }
    }
}
