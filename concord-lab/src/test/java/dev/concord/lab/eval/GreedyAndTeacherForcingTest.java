package dev.concord.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.engine.Sequence;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.sample.GenerationResult;
import dev.concord.model.sample.Generator;
import dev.concord.model.sample.SamplingParams;
import dev.concord.model.sample.StopTokens;
import dev.concord.model.sample.TokenSampler;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact match and token accuracy from the batched evaluator against independent computations: the engine's
 * one-sequence {@link Generator} for greedy decoding, one plain forward per item for teacher forcing.
 */
class GreedyAndTeacherForcingTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path adapterA;
    static Path adapterB;
    static OracleSuite.Built oracle;
    static final List<String> SKILLS = List.of("rot3", "add", "sort");

    @BeforeAll
    static void setUp() throws Exception {
        model = LabFixtures.model(dir.resolve("model"), 11, 2);
        oracle = OracleSuite.build(model, SKILLS, 12);
        adapterA = LabFixtures.adapter(dir.resolve("a"), 5, 0.3);
        adapterB = LabFixtures.adapter(dir.resolve("b"), 6, 0.3);
    }

    private static Composition mix() {
        return Composition.mix(List.of(WeightedAdapter.of(adapterA, 0.8), WeightedAdapter.of(adapterB, -0.5)));
    }

    private static List<ItemOutcome> outcomes(Composition c, EvalOptions options) {
        try (LabEvaluator ev = LabEvaluator.open(model, options)) {
            EvalRequest req = EvalRequest.of(c, oracle.suite(), Split.TEST).withControl(false).withNormalize(false);
            return ev.evaluate(req, Progress.none()).outcomes();
        }
    }

    /** Per item, what the engine's Generator produces one sequence at a time, and whether that is an exact match. */
    private record Expected(String text, boolean stopped, boolean exactMatch) {}

    private static List<Expected> oneByOne(AdapterMixFactory mixFactory) {
        Tokenizer tok = Tokenizer.load(model.resolve("tokenizer.json"));
        List<Expected> out = new ArrayList<>();
        try (ModelWeights w = ModelWeights.load(model); InferenceEngine engine = new InferenceEngine(w)) {
            AdapterMix mix = mixFactory.make(w);
            Generator g = new Generator(engine, tok, StopTokens.of(model, w.config(), tok));
            for (String skill : SKILLS) {
                for (SuiteItem it : oracle.suite().items(skill, Split.TEST)) {
                    int[] prompt = tok.encode(it.prompt(), true);
                    int answerTokens = tok.encode(it.prompt() + it.answer(), true).length - prompt.length;
                    GenerationResult r = g.generate(prompt, mix, SamplingParams.greedy(),
                            answerTokens + EvalOptions.DEFAULT_MARGIN, List.of(), s -> { });
                    String text = tok.decode(r.tokens(), false);
                    boolean stopped = r.finishReason().equals("stop");
                    out.add(new Expected(text, stopped, stopped && text.equals(it.answer())));
                }
            }
        }
        return out;
    }

    interface AdapterMixFactory {
        AdapterMix make(ModelWeights w);
    }

    private static AdapterMix loadMix(ModelWeights w) {
        AdapterWeights a = AdapterWeights.load(adapterA, w.config(), Optional.empty());
        AdapterWeights b = AdapterWeights.load(adapterB, w.config(), Optional.empty());
        return AdapterMix.of(List.of(new AdapterMix.Entry(a, 0.8f), new AdapterMix.Entry(b, -0.5f)));
    }

    @Test
    void batchedGreedyDecodingAgreesWithOneSequenceAtATime() {
        List<Expected> base = oneByOne(w -> AdapterMix.NONE);
        long matches = base.stream().filter(Expected::exactMatch).count();
        // the oracle suite makes the test able to fail both ways: some answers right, some wrong
        assertThat(matches).isBetween(3L, (long) base.size() - 3);
        List<Expected> mixed = oneByOne(GreedyAndTeacherForcingTest::loadMix);
        assertThat(mixed.stream().map(Expected::text).toList()).isNotEqualTo(base.stream().map(Expected::text).toList());

        for (Composition c : List.of(Composition.base(), mix())) {
            List<Expected> expected = c instanceof Composition.Base ? base : mixed;
            List<ItemOutcome> plain = outcomes(c, EvalOptions.defaults().plainDecoding());
            List<ItemOutcome> fast = outcomes(c, EvalOptions.defaults());
            EvalOptions d = EvalOptions.defaults();
            // the reference as a verified draft, then decoding to the end: the whole greedy text
            List<ItemOutcome> draftedWhole = outcomes(c,
                    new EvalOptions(d.threads(), d.margin(), true, false, d.maxActive(), d.rowBudget()));
            assertThat(draftedWhole).isEqualTo(plain);
            assertThat(plain).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                assertThat(plain.get(i).generated()).as("%s item %d text", c.label(), i).isEqualTo(e.text());
                assertThat(plain.get(i).stopped()).as("%s item %d stopped", c.label(), i).isEqualTo(e.stopped());
                assertThat(plain.get(i).exactMatch()).as("%s item %d plain", c.label(), i).isEqualTo(e.exactMatch());
                assertThat(fast.get(i).exactMatch()).as("%s item %d speculative", c.label(), i)
                        .isEqualTo(e.exactMatch());
                // early stopping cuts a wrong text where it leaves the answer; a right one is whole
                assertThat(e.text()).startsWith(fast.get(i).generated());
                assertThat(fast.get(i).correctTokens()).isEqualTo(plain.get(i).correctTokens());
            }
        }
    }

    @Test
    void tokenAccuracyIsTheArgmaxOfOneTeacherForcedForwardPerItem() {
        List<ItemOutcome> base = outcomes(Composition.base(), EvalOptions.defaults());
        List<ItemOutcome> mixed = outcomes(mix(), EvalOptions.defaults());
        Tokenizer tok = Tokenizer.load(model.resolve("tokenizer.json"));
        int eos = oracle.eos();
        try (ModelWeights w = ModelWeights.load(model); InferenceEngine engine = new InferenceEngine(w)) {
            AdapterMix mixWeights = loadMix(w);
            for (int pass = 0; pass < 2; pass++) {
                List<ItemOutcome> got = pass == 0 ? base : mixed;
                AdapterMix mix = pass == 0 ? AdapterMix.NONE : mixWeights;
                long correctSum = 0;
                int i = 0;
                for (String skill : SKILLS) {
                    for (SuiteItem it : oracle.suite().items(skill, Split.TEST)) {
                        int[] prompt = tok.encode(it.prompt(), true);
                        int[] all = tok.encode(it.prompt() + it.answer(), true);
                        int[] reference = Arrays.copyOfRange(all, prompt.length, all.length + 1);
                        reference[reference.length - 1] = eos;
                        int vocab = w.config().vocabSize();
                        float[] logits;
                        try (Sequence s = engine.newSequence(mix)) {
                            logits = engine.forwardAll(s, all);
                        }
                        int correct = 0;
                        double nll = 0;
                        for (int j = 0; j < reference.length; j++) {
                            int row = (prompt.length - 1 + j) * vocab;
                            if (TokenSampler.argmax(logits, row, vocab) == reference[j]) {
                                correct++;
                            }
                            double z = 0;
                            for (int v = 0; v < vocab; v++) {
                                z += Math.exp(logits[row + v]);
                            }
                            nll += Math.log(z) - logits[row + reference[j]];
                        }
                        ItemOutcome o = got.get(i++);
                        assertThat(o.prompt()).isEqualTo(it.prompt());
                        assertThat(o.referenceTokens()).isEqualTo(reference.length);
                        assertThat(o.correctTokens()).as("item %d", i).isEqualTo(correct);
                        assertThat(o.nll()).isCloseTo(nll, within(1e-6 * Math.max(1, nll)));
                        correctSum += correct;
                    }
                }
                assertThat(correctSum).as("some reference tokens are predicted").isPositive();
            }
        }
    }

    @Test
    void resultsDoNotDependOnBatchLimitsOrThreads() {
        List<ItemOutcome> wide = outcomes(mix(), EvalOptions.defaults());
        List<ItemOutcome> narrow = outcomes(mix(), EvalOptions.defaults().withThreads(1).withBatchLimits(2, 24));
        assertThat(narrow).isEqualTo(wide);
        List<ItemOutcome> plainWide = outcomes(mix(), EvalOptions.defaults().plainDecoding());
        List<ItemOutcome> plainNarrow = outcomes(mix(),
                EvalOptions.defaults().plainDecoding().withThreads(1).withBatchLimits(3, 30));
        assertThat(plainNarrow).isEqualTo(plainWide);
    }

    @Test
    void skillScoresPoolTheItemOutcomes() {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            EvalReport r = ev.evaluate(EvalRequest.of(Composition.base(), oracle.suite(), Split.TEST)
                    .withControl(false).withLimit(5).withSkills(List.of("sort", "rot3")), Progress.none());
            assertThat(r.skills().keySet()).containsExactly("sort", "rot3");
            for (String skill : List.of("sort", "rot3")) {
                List<ItemOutcome> mine = r.outcomes().stream().filter(o -> o.skill().equals(skill)).toList();
                assertThat(mine).hasSize(5);
                assertThat(mine.stream().map(ItemOutcome::index).toList()).containsExactly(0, 1, 2, 3, 4);
                SkillScore s = r.skills().get(skill).score();
                assertThat(s.items()).isEqualTo(5);
                assertThat(s.exactMatch()).isEqualTo(mine.stream().filter(ItemOutcome::exactMatch).count() / 5.0);
                long correct = mine.stream().mapToLong(ItemOutcome::correctTokens).sum();
                long total = mine.stream().mapToLong(ItemOutcome::referenceTokens).sum();
                assertThat(s.tokenAccuracy()).isEqualTo((double) correct / total);
            }
        }
    }

    @Test
    void theEndOfSequenceTokenComesFromTheModelConfig() {
        try (LabEvaluator ev = LabEvaluator.open(model, EvalOptions.defaults())) {
            // the lab tokenizer's own EOS is </s> (2); this config stops on another id, which teacher forcing follows
            assertThat(ev.endOfSequence()).isEqualTo(oracle.eos()).isNotEqualTo(2);
            assertThat(Set.of(oracle.eos())).contains(ev.endOfSequence());
        }
    }
}
