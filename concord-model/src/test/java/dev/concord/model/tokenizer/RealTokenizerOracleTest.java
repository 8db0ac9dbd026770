package dev.concord.model.tokenizer;

import dev.concord.model.tokenizer.TokenizerFixtures.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ids and texts equal Hugging Face's for real model tokenizers on a corpus of awkward texts: with and without
 * special tokens, for pairs, and when decoding.
 */
class RealTokenizerOracleTest {

    static Stream<Fixture> tokenizers() {
        List<Fixture> fixtures = new ArrayList<>(List.of(TokenizerFixtures.mistral(), TokenizerFixtures.qwen3(),
                TokenizerFixtures.llama3Like()));
        TokenizerFixtures.llama31().ifPresent(fixtures::add);
        return fixtures.stream();
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void encodeEqualsHuggingFaceWithoutSpecialTokens(Fixture fixture) {
        for (String text : TokenizerCorpus.texts()) {
            assertThat(fixture.tokenizer().encode(text)).as("%s: %s", fixture, text)
                    .containsExactly(fixture.oracle().encode(text, false));
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void encodeEqualsHuggingFaceWithSpecialTokens(Fixture fixture) {
        for (String text : TokenizerCorpus.texts()) {
            assertThat(fixture.tokenizer().encode(text, true)).as("%s: %s", fixture, text)
                    .containsExactly(fixture.oracle().encode(text, true));
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void pairEncodingEqualsHuggingFace(Fixture fixture) {
        List<String> texts = TokenizerCorpus.texts();
        for (int i = 0; i + 1 < texts.size(); i += 7) {
            String first = texts.get(i);
            String second = texts.get(i + 1);
            for (boolean special : new boolean[] {false, true}) {
                assertThat(fixture.tokenizer().encodePair(first, second, special))
                        .as("%s: %s | %s (special tokens %s)", fixture, first, second, special)
                        .containsExactly(fixture.oracle().encodePair(first, second, special));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void decodeEqualsHuggingFace(Fixture fixture) {
        for (String text : TokenizerCorpus.texts()) {
            int[] ids = fixture.oracle().encode(text, true);
            assertThat(fixture.tokenizer().decode(ids)).as("%s: %s", fixture, text)
                    .isEqualTo(fixture.oracle().decode(ids, false));
            assertThat(fixture.tokenizer().decode(ids, true)).as("%s skipping special tokens: %s", fixture, text)
                    .isEqualTo(fixture.oracle().decode(ids, true));
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void byteLevelTokenizersRoundTrip(Fixture fixture) {
        boolean byteLevel = !fixture.name().equals("mistral");
        boolean nfc = fixture.name().equals("qwen3");
        for (String text : TokenizerCorpus.texts()) {
            String decoded = fixture.tokenizer().decode(fixture.tokenizer().encode(text));
            if (byteLevel) {
                // Qwen3 normalizes to NFC before tokenizing, so that is what comes back.
                assertThat(decoded).as("%s: %s", fixture, text)
                        .isEqualTo(nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text);
            } else if (!text.contains("<s>") && !text.contains("</s>") && !text.contains("<unk>")) {
                // Mistral: Prepend/Replace then Strip makes plain text come back unchanged.
                assertThat(decoded).as("%s: %s", fixture, text).isEqualTo(text);
            }
        }
    }
}
