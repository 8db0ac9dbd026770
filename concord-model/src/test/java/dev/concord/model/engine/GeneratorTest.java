package dev.concord.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.model.engine.ModelRuntime.LoraMode;
import dev.concord.model.lora.AdapterSpec;
import dev.concord.model.sample.GenerationResult;
import dev.concord.model.sample.Generator;
import dev.concord.model.sample.SamplingParams;
import dev.concord.model.sample.StopTokens;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.Quantization;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Generation end to end: greedy ids equal those of the reference (repeated full forwards in torch). */
class GeneratorTest {
    private static ModelRuntime open(ReferenceCases.Greedy g) {
        return ModelRuntime.open(g.model(), g.adapters().stream().map(a -> new AdapterSpec(a.path(), a.weight()))
                .toList(), Quantization.NONE, LoraMode.UNMERGED, EngineOptions.defaults().withThreads(2));
    }

    @Test
    void greedyGenerationMatchesTheReference() {
        for (ReferenceCases.Greedy g : ReferenceCases.greedy()) {
            try (ModelRuntime rt = open(g)) {
                Tokenizer tok = Tokenizer.load(g.model().resolve("tokenizer.json"));
                Generator gen = new Generator(rt.engine(), tok, StopTokens.of(g.model(), rt.engine().config(), tok));
                StringBuilder streamed = new StringBuilder();
                GenerationResult r = gen.generate(g.prompt(), rt.sequenceAdapters(), SamplingParams.greedy(),
                        g.greedy().length, List.of(), streamed::append);
                assertThat(r.tokens()).as(g.model() + " " + g.adapters()).containsExactly(g.greedy());
                assertThat(r.finishReason()).isEqualTo("length");
                assertThat(streamed.toString()).isEqualTo(r.text()).isEqualTo(tok.decode(g.greedy(), true));
                assertThat(r.promptTokens()).isEqualTo(g.prompt().length);
                assertThat(r.prefillTokensPerSecond()).isPositive();
                assertThat(rt.engine().kvPool().usedBlocks()).isZero();
            }
        }
    }

    @Test
    void stopsOnEosAndOnStopStrings() {
        ReferenceCases.Greedy g = ReferenceCases.greedy().getFirst();
        try (ModelRuntime rt = open(g)) {
            Tokenizer tok = Tokenizer.load(g.model().resolve("tokenizer.json"));
            int[] expected = g.greedy();
            // pretend the third greedy token is an end-of-sequence id
            Generator eos = new Generator(rt.engine(), tok, Set.of(expected[2]));
            GenerationResult r = eos.generate(g.prompt(), rt.sequenceAdapters(), SamplingParams.greedy(), 8, List.of(),
                    s -> { });
            assertThat(r.tokens()).containsExactly(expected[0], expected[1]);
            assertThat(r.finishReason()).isEqualTo("stop");

            String full = tok.decode(expected, true);
            String before = tok.decode(Arrays.copyOf(expected, 4), true);
            String stop = full.substring(before.length(), before.length() + 1);
            int cut = full.indexOf(stop);
            Generator plain = new Generator(rt.engine(), tok, Set.of());
            StringBuilder streamed = new StringBuilder();
            GenerationResult s = plain.generate(g.prompt(), rt.sequenceAdapters(), SamplingParams.greedy(), 8,
                    List.of(stop), streamed::append);
            assertThat(s.text()).isEqualTo(full.substring(0, cut));
            assertThat(streamed.toString()).isEqualTo(s.text());
            assertThat(s.finishReason()).isEqualTo("stop");
        }
    }

    @Test
    void seededSamplingIsReproducibleAndIndependentOfBatchNeighbours() {
        ReferenceCases.Greedy g = ReferenceCases.greedy().getFirst();
        try (ModelRuntime rt = open(g)) {
            Tokenizer tok = Tokenizer.load(g.model().resolve("tokenizer.json"));
            Generator gen = new Generator(rt.engine(), tok, Set.of());
            SamplingParams p = new SamplingParams(0.9, 50, 0.95, 1234);
            int[] a = gen.generate(g.prompt(), rt.sequenceAdapters(), p, 12, List.of(), s -> { }).tokens();
            int[] b = gen.generate(g.prompt(), rt.sequenceAdapters(), p, 12, List.of(), s -> { }).tokens();
            int[] c = gen.generate(g.prompt(), rt.sequenceAdapters(), new SamplingParams(0.9, 50, 0.95, 99), 12,
                    List.of(), s -> { }).tokens();
            assertThat(a).hasSize(12).isEqualTo(b).isNotEqualTo(c);
        }
    }

    @Test
    void maxTokensZeroGeneratesNothing() {
        ReferenceCases.Greedy g = ReferenceCases.greedy().getFirst();
        try (ModelRuntime rt = open(g)) {
            Tokenizer tok = Tokenizer.load(g.model().resolve("tokenizer.json"));
            GenerationResult r = new Generator(rt.engine(), tok, Set.of()).generate(g.prompt(), rt.sequenceAdapters(),
                    SamplingParams.greedy(), 0, List.of(), s -> { });
            assertThat(r.tokens()).isEmpty();
            assertThat(r.text()).isEmpty();
        }
    }
}
