package dev.concord.model.tokenizer;

import dev.concord.model.tokenizer.TokenizerFixtures.Fixture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.text.Normalizer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On random Unicode text (all planes, with whitespace runs and special-token strings mixed in) our tokenizers equal
 * Hugging Face's, and byte-level tokenizers give back the text they were given.
 */
class TokenizerPropertyTest {

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> codePoint = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(10, Arbitraries.of(0x20, 0x20, 0x0A, 0x09, 0x0D, 0x0B, 0xA0, 0x3000, 0x2028)),
                Tuple.of(10, Arbitraries.integers().between(0xA0, 0x24F)),
                Tuple.of(4, Arbitraries.integers().between(0x300, 0x36F)),
                Tuple.of(8, Arbitraries.integers().between(0x370, 0x10FF)),
                Tuple.of(8, Arbitraries.integers().between(0x4E00, 0x9FFF)),
                Tuple.of(4, Arbitraries.integers().between(0x3040, 0x30FF)),
                Tuple.of(4, Arbitraries.integers().between(0xAC00, 0xD7A3)),
                Tuple.of(6, Arbitraries.integers().between(0x1F300, 0x1FAFF)),
                Tuple.of(3, Arbitraries.integers().between(0xFB00, 0xFFFD)),
                Tuple.of(3, Arbitraries.integers().between(0, 0x1F)),
                Tuple.of(6, Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                        .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)))
                .map(Character::toString);
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(40, codePoint),
                Tuple.of(2, Arbitraries.of("<s>", "</s>", "<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>",
                        "<think>", "<|begin_of_text|>", "<0x41>", "'s", "'LL", "   ", "\n\n", "12345", "ab")));
        return fragment.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    private static void assertSameIds(Fixture fixture, String text) {
        assertThat(fixture.tokenizer().encode(text)).as("%s: %s", fixture, codePoints(text))
                .containsExactly(fixture.oracle().encode(text, false));
        assertThat(fixture.tokenizer().encode(text, true)).as("%s with specials: %s", fixture, codePoints(text))
                .containsExactly(fixture.oracle().encode(text, true));
    }

    private static List<String> codePoints(String text) {
        return text.codePoints().mapToObj(cp -> String.format("U+%04X", cp)).toList();
    }

    @Property(tries = 300)
    void qwen3MatchesHuggingFaceAndRoundTrips(@ForAll("texts") String text) {
        Fixture qwen3 = TokenizerFixtures.qwen3();
        assertSameIds(qwen3, text);
        assertThat(qwen3.tokenizer().decode(qwen3.tokenizer().encode(text)))
                .isEqualTo(Normalizer.normalize(text, Normalizer.Form.NFC));
    }

    @Property(tries = 300)
    void llama3LikeMatchesHuggingFaceAndRoundTrips(@ForAll("texts") String text) {
        Fixture llama = TokenizerFixtures.llama3Like();
        assertSameIds(llama, text);
        assertThat(llama.tokenizer().decode(llama.tokenizer().encode(text))).isEqualTo(text);
    }

    @Property(tries = 300)
    void mistralMatchesHuggingFace(@ForAll("texts") String text) {
        Fixture mistral = TokenizerFixtures.mistral();
        assertSameIds(mistral, text);
        int[] ids = mistral.tokenizer().encode(text);
        String decoded = mistral.tokenizer().decode(ids);
        assertThat(decoded).isEqualTo(mistral.oracle().decode(ids, false));
        if (!text.contains("<s>") && !text.contains("</s>") && !text.contains("<unk>")) {
            // Without added tokens in the text, SentencePiece-style encoding is reversible too.
            assertThat(decoded).isEqualTo(text);
        }
    }

    @Provide
    Arbitrary<int[]> byteTokenIds() {
        // Ids of single-byte tokens of Qwen3 (the byte-level alphabet), so that any byte sequence can be formed,
        // mixed with a few multi-byte tokens and special tokens.
        Fixture qwen3 = TokenizerFixtures.qwen3();
        Arbitrary<Integer> singleByte = Arbitraries.integers().between(0, 255)
                .map(b -> qwen3.tokenizer().tokenId(TinyTokenizerJson.alphabetChar(b)).getAsInt());
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 151668);
        return Arbitraries.frequencyOf(Tuple.of(8, singleByte), Tuple.of(2, any)).list().ofMaxSize(30)
                .map(list -> list.stream().mapToInt(Integer::intValue).toArray());
    }

    @Property(tries = 300)
    void decodingArbitraryByteSequencesMatchesHuggingFace(@ForAll("byteTokenIds") int[] ids) {
        Fixture qwen3 = TokenizerFixtures.qwen3();
        assertThat(qwen3.tokenizer().decode(ids)).isEqualTo(qwen3.oracle().decode(ids, false));
        assertThat(qwen3.tokenizer().decode(ids, true)).isEqualTo(qwen3.oracle().decode(ids, true));
    }
}
