package dev.concord.model.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.model.tokenizer.TokenizerFixtures.Fixture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Vocabulary queries, special-token ids and thread safety on the real tokenizers. */
class TokenizerVocabularyTest {

    /** Distinct token strings in the file: the model vocabulary plus added tokens, read independently. */
    private static int distinctTokens(Fixture fixture) throws IOException {
        Set<String> tokens = new HashSet<>();
        try (JsonParser parser = new ObjectMapper().createParser(fixture.file().toFile())) {
            // Vocabulary keys are the field names directly inside model.vocab; added tokens carry "content".
            java.util.ArrayDeque<String> path = new java.util.ArrayDeque<>();
            String field = null;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                switch (token) {
                    case FIELD_NAME -> {
                        field = parser.currentName();
                        if ("vocab".equals(path.peek())) {
                            tokens.add(field);
                        }
                    }
                    case START_OBJECT, START_ARRAY -> path.push(field == null ? "" : field);
                    case END_OBJECT, END_ARRAY -> path.pop();
                    case VALUE_STRING -> {
                        if ("content".equals(field) && path.contains("added_tokens")) {
                            tokens.add(parser.getText());
                        }
                    }
                    default -> { }
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    field = null;
                }
            }
        }
        return tokens.size();
    }

    @Test
    void vocabularySizeCountsModelAndAddedTokens() throws IOException {
        assertThat(TokenizerFixtures.mistral().tokenizer().vocabSize()).isEqualTo(32000)
                .isEqualTo(distinctTokens(TokenizerFixtures.mistral()));
        assertThat(TokenizerFixtures.qwen3().tokenizer().vocabSize()).isEqualTo(151669)
                .isEqualTo(distinctTokens(TokenizerFixtures.qwen3()));
    }

    @Test
    void everyIdMapsToATokenThatMapsBack() {
        for (Fixture fixture : List.of(TokenizerFixtures.mistral(), TokenizerFixtures.qwen3())) {
            Tokenizer tokenizer = fixture.tokenizer();
            List<Integer> broken = new ArrayList<>();
            for (int id = 0; id < tokenizer.vocabSize(); id++) {
                if (tokenizer.tokenId(tokenizer.idToken(id)).orElse(-1) != id) {
                    broken.add(id);
                }
            }
            assertThat(broken).as("%s ids whose token maps elsewhere", fixture).isEmpty();
            assertThat(tokenizer.tokenId("no such token, surely")).isEmpty();
        }
    }

    @Test
    void knownTokens() {
        Tokenizer mistral = TokenizerFixtures.mistral().tokenizer();
        assertThat(mistral.idToken(1)).isEqualTo("<s>");
        assertThat(mistral.tokenId("<0x0A>")).hasValue(13);
        assertThat(mistral.tokenId("▁")).hasValue(28705);
        Tokenizer qwen = TokenizerFixtures.qwen3().tokenizer();
        assertThat(qwen.idToken(151644)).isEqualTo("<|im_start|>");
        assertThat(qwen.addedTokens()).hasSize(26).first().satisfies(token -> {
            assertThat(token.content()).isEqualTo("<|endoftext|>");
            assertThat(token.special()).isTrue();
            assertThat(token.normalized()).isFalse();
        });
        assertThat(qwen.addedTokens()).filteredOn(token -> token.content().equals("<think>"))
                .singleElement().satisfies(token -> assertThat(token.special()).isFalse());
    }

    @Test
    void bosAndEosComeFromTokenizerConfigOrTheTemplate() {
        assertThat(TokenizerFixtures.mistral().tokenizer().bosTokenId()).hasValue(1);
        assertThat(TokenizerFixtures.mistral().tokenizer().eosTokenId()).hasValue(2);
        // Qwen3's tokenizer_config.json says bos_token null and eos_token <|im_end|>.
        assertThat(TokenizerFixtures.qwen3().tokenizer().bosTokenId()).isEmpty();
        assertThat(TokenizerFixtures.qwen3().tokenizer().eosTokenId()).hasValue(151645);
        // No tokenizer_config.json beside the Llama-3-like file: BOS is the template's, EOS the conventional name.
        assertThat(TokenizerFixtures.llama3Like().tokenizer().bosTokenId()).hasValue(151643);
        assertThat(TokenizerFixtures.llama3Like().tokenizer().eosTokenId()).hasValue(151643);
    }

    @Test
    void loneSurrogatesAreReadAsReplacementCharacters() {
        Tokenizer qwen = TokenizerFixtures.qwen3().tokenizer();
        assertThat(qwen.encode("a\uD800b")).containsExactly(qwen.encode("a\uFFFDb"));
        assertThat(qwen.encode("\uDC00")).containsExactly(qwen.encode("\uFFFD"));
    }

    @Test
    void concurrentEncodingGivesTheSameIds() throws Exception {
        Tokenizer qwen = TokenizerFixtures.qwen3().tokenizer();
        List<String> texts = TokenizerCorpus.texts();
        List<int[]> sequential = texts.stream().map(qwen::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> texts.stream().map(qwen::encode).toList()));
            }
            for (Future<List<int[]>> result : results) {
                List<int[]> ids = result.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(ids.get(i)).containsExactly(sequential.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
