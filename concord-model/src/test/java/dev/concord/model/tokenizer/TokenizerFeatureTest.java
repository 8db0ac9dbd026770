package dev.concord.model.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static dev.concord.model.tokenizer.OracleComparison.assertSameAsHuggingFace;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each supported tokenizer.json feature, on small hand-made files, checked against Hugging Face's library, with a
 * few hand-computed expectations to show the feature really is in play.
 */
class TokenizerFeatureTest {
    private static final String BYTE_LEVEL_NO_REGEX =
            "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}";
    private static final String BYTE_LEVEL_WITH_REGEX =
            "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":true}";
    private static final String BYTE_LEVEL_PREFIX_REGEX =
            "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}";

    private static String tokens(Tokenizer tokenizer, String text) {
        return String.join(" ", Arrays.stream(tokenizer.encode(text)).mapToObj(tokenizer::idToken).toList());
    }

    @Test
    void byteLevelWithPrefixSpaceAndGpt2Regex() {
        Tokenizer tokenizer = assertSameAsHuggingFace(TinyTokenizerJson.byteLevel()
                .preTokenizer("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}")
                .decoder("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}")
                .write("byte-level-prefix"));
        // "he ll" and "hell o" outrank "Ġ he", so the first word keeps its space apart; "Ġ w" wins in the second.
        assertThat(tokens(tokenizer, "hello world")).isEqualTo("Ġ hello Ġworld");
        assertThat(tokenizer.decode(tokenizer.encode("hello world"))).isEqualTo(" hello world");
    }

    @Test
    void byteLevelWithoutRegexKeepsThePieceWhole() {
        Tokenizer tokenizer = assertSameAsHuggingFace(TinyTokenizerJson.byteLevel()
                .preTokenizer(BYTE_LEVEL_NO_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX).write("byte-level-no-regex"));
        assertThat(tokens(tokenizer, "hello world")).isEqualTo("hello Ġworld");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"})
    void splitBehaviors(String behavior) {
        for (boolean invert : new boolean[] {false, true}) {
            for (String pattern : new String[] {"{\"Regex\":\"\\\\s+\"}", "{\"String\":\" \"}",
                    "{\"Regex\":\"\\\\p{N}\"}"}) {
                assertSameAsHuggingFace(TinyTokenizerJson.byteLevel()
                        .preTokenizer("{\"type\":\"Sequence\",\"pretokenizers\":["
                                + "{\"type\":\"Split\",\"pattern\":" + pattern + ",\"behavior\":\"" + behavior
                                + "\",\"invert\":" + invert + "},"
                                + BYTE_LEVEL_NO_REGEX + "]}")
                        .decoder(BYTE_LEVEL_NO_REGEX)
                        .write("split-" + behavior + "-" + invert + "-" + pattern.length()));
            }
        }
    }

    @Test
    void splitRemovedDropsTheMatches() {
        Tokenizer tokenizer = Tokenizer.load(TinyTokenizerJson.byteLevel()
                .preTokenizer("{\"type\":\"Sequence\",\"pretokenizers\":["
                        + "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"Removed\",\"invert\":false},"
                        + BYTE_LEVEL_NO_REGEX + "]}")
                .write("split-removed"));
        assertThat(tokens(tokenizer, "hello world")).isEqualTo("hello world");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void digits(boolean individual) {
        Tokenizer tokenizer = assertSameAsHuggingFace(TinyTokenizerJson.byteLevel()
                .preTokenizer("{\"type\":\"Sequence\",\"pretokenizers\":["
                        + "{\"type\":\"Digits\",\"individual_digits\":" + individual + "},"
                        + BYTE_LEVEL_NO_REGEX + "]}")
                .decoder(BYTE_LEVEL_NO_REGEX).write("digits-" + individual));
        assertThat(tokens(tokenizer, "123")).isEqualTo(individual ? "1 2 3" : "123");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"Lowercase\"}", "{\"type\":\"NFKC\"}", "{\"type\":\"NFD\"}",
            "{\"type\":\"NFKD\"}", "{\"type\":\"NFC\"}", "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":false}",
            "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}",
            "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"[0-9]+\"},\"content\":\"#\"}",
            "{\"type\":\"Replace\",\"pattern\":{\"String\":\"l\"},\"content\":\"L\"}",
            "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Lowercase\"},"
                    + "{\"type\":\"Prepend\",\"prepend\":\">\"}]}"})
    void normalizers(String normalizer) {
        assertSameAsHuggingFace(TinyTokenizerJson.byteLevel().normalizer(normalizer)
                .preTokenizer(BYTE_LEVEL_WITH_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX).write("normalizer-" + normalizer.hashCode()));
    }

    @Test
    void lowercaseHasNoContextRules() {
        Tokenizer tokenizer = Tokenizer.load(TinyTokenizerJson.byteLevel().normalizer("{\"type\":\"Lowercase\"}")
                .preTokenizer(BYTE_LEVEL_NO_REGEX).decoder(BYTE_LEVEL_NO_REGEX).write("lowercase"));
        // Rust's char::to_lowercase maps Σ to σ even at the end of a word (Java's String.toLowerCase gives ς).
        assertThat(tokenizer.decode(tokenizer.encode("ΑΣ"))).isEqualTo("ασ");
    }

    @Test
    void addedTokenOptions() {
        TinyTokenizerJson json = TinyTokenizerJson.byteLevel().normalizer("{\"type\":\"Lowercase\"}")
                .preTokenizer(BYTE_LEVEL_WITH_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX);
        int next = json.nextId();
        json.addedToken(next, "<s>", true).addedToken(next + 1, "</s>", true)
                .addedToken(next + 2, "[MASK]", true, true, true, false, false)
                .addedToken(next + 3, "<mask>", false, true, true, true, false)
                .addedToken(next + 4, "World", false, false, false, false, true)
                .addedToken(next + 5, "mask", false, false, false, true, false);
        Tokenizer tokenizer = assertSameAsHuggingFace(json.write("added-options"));
        // [MASK] strips the spaces around it; "World" is matched after lower-casing because it is normalized.
        assertThat(tokens(tokenizer, "x [MASK] y")).isEqualTo("x [MASK] y");
        assertThat(tokenizer.encode("hello WORLD")).contains(next + 4);
        assertThat(tokenizer.addedTokens()).extracting(AddedToken::content)
                .containsExactly("<s>", "</s>", "[MASK]", "<mask>", "World", "mask");
        assertThat(tokenizer.decode(tokenizer.encode("<s>hi</s>"), true)).isEqualTo("hi");
    }

    @Test
    void addedTokenIdsFollowHuggingFaceAssignment() {
        // The file claims ids with a gap; Hugging Face gives new tokens the next free id instead.
        TinyTokenizerJson json = TinyTokenizerJson.byteLevel().decoder(BYTE_LEVEL_NO_REGEX);
        int next = json.nextId();
        json.addedToken(next + 10, "<a>", true).addedToken(next + 20, "<b>", false).addedToken(0, "hello", false);
        Tokenizer tokenizer = assertSameAsHuggingFace(json.write("added-ids"), List.of("<a><b>hello", "x<b>y"));
        assertThat(tokenizer.tokenId("<a>")).hasValue(next);
        assertThat(tokenizer.tokenId("<b>")).hasValue(next + 1);
        // "hello" is already in the model vocabulary, so it keeps that id rather than the 0 the file claims.
        assertThat(tokenizer.tokenId("hello")).hasValue(json.vocab().get("hello").intValue());
        assertThat(tokenizer.vocabSize()).isEqualTo(next + 2);
    }

    @Test
    void ignoreMergesTakesWholeWordsFromTheVocabulary() {
        TinyTokenizerJson json = TinyTokenizerJson.byteLevel()
                .preTokenizer(BYTE_LEVEL_WITH_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX).model("ignore_merges", "true");
        // "abc" is a vocabulary entry no merge leads to: only ignore_merges can produce it.
        json.vocab().put("abc", json.nextId());
        Tokenizer tokenizer = assertSameAsHuggingFace(json.write("ignore-merges"));
        assertThat(tokens(tokenizer, "abc")).isEqualTo("abc");
    }

    @Test
    void mergesAsPairsMeanTheSameAsStrings() {
        TinyTokenizerJson json = TinyTokenizerJson.byteLevel()
                .preTokenizer(BYTE_LEVEL_PREFIX_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX);
        Tokenizer asStrings = Tokenizer.load(json.write("merges-strings"));
        ArrayNode pairs = ((ObjectNode) json.root().get("model")).putArray("merges");
        for (String merge : TinyTokenizerJson.BYTE_LEVEL_MERGES) {
            pairs.addArray().add(merge.split(" ")[0]).add(merge.split(" ")[1]);
        }
        Tokenizer asPairs = assertSameAsHuggingFace(json.write("merges-pairs"));
        for (String text : OracleComparison.INPUTS) {
            assertThat(asPairs.encode(text)).containsExactly(asStrings.encode(text));
        }
    }

    @Test
    void templateProcessingSingleAndPair() {
        TinyTokenizerJson json = TinyTokenizerJson.byteLevel()
                .preTokenizer(BYTE_LEVEL_WITH_REGEX)
                .decoder(BYTE_LEVEL_NO_REGEX);
        int bos = json.nextId();
        json.addedToken(bos, "<s>", true).addedToken(bos + 1, "</s>", true).postProcessor("""
                {"type":"TemplateProcessing",
                 "single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                           {"SpecialToken":{"id":"</s>","type_id":0}}],
                 "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                         {"SpecialToken":{"id":"</s>","type_id":0}},{"Sequence":{"id":"B","type_id":1}},
                         {"SpecialToken":{"id":"</s>","type_id":1}}],
                 "special_tokens":{"<s>":{"id":"<s>","ids":[%d],"tokens":["<s>"]},
                                   "</s>":{"id":"</s>","ids":[%d],"tokens":["</s>"]}}}
                """.formatted(bos, bos + 1));
        var file = json.write("template");
        Tokenizer tokenizer = assertSameAsHuggingFace(file);
        HfOracle oracle = HfOracle.load(file);
        assertThat(tokenizer.encodePair("hello", "world", true))
                .containsExactly(oracle.encodePair("hello", "world", true));
        assertThat(tokenizer.encodePair("hello", "world", false))
                .containsExactly(oracle.encodePair("hello", "world", false));
        assertThat(tokenizer.encode("hello", true)[0]).isEqualTo(bos);
        assertThat(tokenizer.bosTokenId()).hasValue(bos);
        assertThat(tokenizer.eosTokenId()).hasValue(bos + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "first", "never"})
    void metaspace(String prependScheme) {
        for (boolean split : new boolean[] {true, false}) {
            String metaspace = "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"" + prependScheme
                    + "\",\"split\":" + split + "}";
            Tokenizer tokenizer = assertSameAsHuggingFace(TinyTokenizerJson.sentencePiece().preTokenizer(metaspace)
                    .decoder(metaspace).write("metaspace-" + prependScheme + "-" + split));
            boolean marksFirstWord = !prependScheme.equals("never");
            assertThat(tokens(tokenizer, "hello world")).startsWith(marksFirstWord ? "▁ " : "he ");
        }
    }

    @Test
    void metaspaceLegacyAddPrefixSpace() {
        String metaspace = "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"add_prefix_space\":true}";
        assertSameAsHuggingFace(TinyTokenizerJson.sentencePiece().preTokenizer(metaspace).decoder(metaspace)
                .write("metaspace-legacy"));
    }

    /** Mistral's layout: Prepend + Replace normalizer, no pre-tokenizer, byte fallback, a Strip decoder. */
    private static TinyTokenizerJson mistralStyle() {
        return TinyTokenizerJson.sentencePiece()
                .normalizer("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"▁\"},"
                        + "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"▁\"}]}")
                .decoder("{\"type\":\"Sequence\",\"decoders\":["
                        + "{\"type\":\"Replace\",\"pattern\":{\"String\":\"▁\"},\"content\":\" \"},"
                        + "{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},"
                        + "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}")
                .postProcessor("""
                        {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},
                         {"Sequence":{"id":"A","type_id":0}}],"pair":[{"SpecialToken":{"id":"<s>","type_id":0}},
                         {"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"<s>","type_id":1}},
                         {"Sequence":{"id":"B","type_id":1}}],
                         "special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]}}}""");
    }

    @Test
    void byteFallbackSpellsUnknownCharactersAsBytes() {
        Tokenizer tokenizer = assertSameAsHuggingFace(mistralStyle().write("byte-fallback"));
        assertThat(tokens(tokenizer, "é")).isEqualTo("▁ <0xC3> <0xA9>");
        assertThat(tokenizer.decode(tokenizer.encode("hello é 日本"))).isEqualTo("hello é 日本");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void unknownTokenWithoutByteFallback(boolean fuse) {
        Tokenizer tokenizer = assertSameAsHuggingFace(mistralStyle().model("byte_fallback", "false")
                .model("fuse_unk", String.valueOf(fuse)).write("unk-" + fuse));
        assertThat(tokens(tokenizer, "日本")).isEqualTo(fuse ? "▁ <unk>" : "▁ <unk> <unk>");
    }

    @Test
    void byteFallbackDecoderReplacesInvalidBytesOnePerByte() {
        var file = mistralStyle().write("byte-fallback-invalid");
        Tokenizer tokenizer = Tokenizer.load(file);
        HfOracle oracle = HfOracle.load(file);
        int c3 = tokenizer.tokenId("<0xC3>").getAsInt();
        int a9 = tokenizer.tokenId("<0xA9>").getAsInt();
        int a = tokenizer.tokenId("▁a").getAsInt();
        for (int[] ids : List.of(new int[] {c3}, new int[] {c3, a}, new int[] {a9, c3, a9}, new int[] {a, c3, c3, a9},
                new int[] {c3, a9})) {
            assertThat(tokenizer.decode(ids)).isEqualTo(oracle.decode(ids, false));
        }
        // The lone 0xC3 becomes U+FFFD; the Strip decoder only removes a space at the very start.
        assertThat(tokenizer.decode(new int[] {c3, a})).isEqualTo("\uFFFD a");
    }

    @Test
    void subwordPrefixAndWordSuffix() {
        TinyTokenizerJson json = TinyTokenizerJson.sentencePiece().model("byte_fallback", "false")
                .preTokenizer("{\"type\":\"WhitespaceSplit\"}")
                .model("continuing_subword_prefix", "\"##\"").model("end_of_word_suffix", "\"</w>\"");
        for (String token : List.of("##e", "##l", "##o", "##l</w>", "##o</w>", "a</w>", "##b", "he", "##ll", "hel")) {
            if (!json.vocab().has(token)) {
                json.vocab().put(token, json.nextId());
            }
        }
        json.model("merges", "[\"h ##e\", \"##l ##l\", \"he ##l\"]");
        assertSameAsHuggingFace(json.write("prefix-suffix"), List.of("hello", "hell", "a", "ab", "hello world"));
    }

    @Test
    void specialTokensOfTheTemplateAreReportedAsBosAndEos() {
        Tokenizer tokenizer = Tokenizer.load(mistralStyle().write("bos-from-template"));
        assertThat(tokenizer.bosTokenId()).hasValue(1);
        // No template token after the text: the conventional name </s> is used.
        assertThat(tokenizer.eosTokenId()).hasValue(2);
        assertThat(Tokenizer.load(TinyTokenizerJson.byteLevel().write("no-specials")).bosTokenId())
                .isEqualTo(OptionalInt.empty());
    }
}
