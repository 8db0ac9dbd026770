package dev.concord.lab.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab vocabulary, its tokenizer.json, the engine's tokenizer loading that file and Hugging Face's own library
 * all agree id for id.
 */
class LabTokenizerTest {
    private static Path dir;
    private static List<String> texts;

    @BeforeAll
    static void writeTokenizerFiles() throws Exception {
        Path testClasses = Paths.get(LabTokenizerTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        dir = Files.createDirectories(testClasses.getParent().resolve("lab-tokenizer-test"));
        LabTokenizerFiles.write(dir);
        Suite suite = new SuiteGenerator(3, new SuiteSizes(40, 5, 20)).generate();
        texts = new ArrayList<>();
        for (String skill : suite.skills()) {
            for (Split split : suite.splits(skill)) {
                for (SuiteItem item : suite.items(skill, split)) {
                    texts.add(item.prompt() + item.answer() + "</s>");
                }
            }
        }
        // edge cases: unknown characters (also outside the BMP), broken and adjacent tags, specials in the text
        texts.addAll(List.of("", "<", "<rot3", "<rot3><rot3>x", "<<sort>>", "caf\u00e9 \uD83D\uDE00!", "\t<s>a</s>\n",
                "<reserved_5>", "<pad><unk>", "tab\there", "{\"a\":1}"));
    }

    @Test
    void idsReadLikeAscii() {
        assertThat(LabVocabulary.tokens()).hasSize(128).doesNotHaveDuplicates();
        for (int c = 32; c < 127; c++) {
            assertThat(LabVocabulary.token(c)).isEqualTo(Character.toString(c));
        }
        assertThat(LabVocabulary.token(10)).isEqualTo("\n");
        assertThat(LabVocabulary.token(LabVocabulary.BOS)).isEqualTo("<s>");
        assertThat(LabVocabulary.token(LabVocabulary.EOS)).isEqualTo("</s>");
        List<String> names = LabSkills.names();
        for (int i = 0; i < names.size(); i++) {
            assertThat(LabVocabulary.tagId(names.get(i))).isEqualTo(16 + i);
        }
        assertThat(LabVocabulary.encodeWithBos("<rot3>ab c\n")).containsExactly(1, 17, 'a', 'b', ' ', 'c', 10);
        assertThat(LabVocabulary.encode("é\uD83D\uDE00")).containsExactly(3, 3);
    }

    @Test
    void decodingInvertsEncodingForEverySuiteText() {
        for (String text : texts) {
            if (text.chars().allMatch(c -> (c >= 32 && c < 127) || c == '\n')) {
                assertThat(LabVocabulary.decode(LabVocabulary.encode(text), false)).isEqualTo(text);
            }
        }
        assertThat(LabVocabulary.decode(LabVocabulary.encode("<rot3>abc\nxyz</s>"), true)).isEqualTo("abc\nxyz");
    }

    @Test
    void theEngineTokenizerLoadsTheFileAndAgrees() {
        Tokenizer engine = Tokenizer.load(dir.resolve("tokenizer.json"));
        assertThat(engine.vocabSize()).isEqualTo(128);
        assertThat(engine.bosTokenId()).hasValue(LabVocabulary.BOS);
        assertThat(engine.eosTokenId()).hasValue(LabVocabulary.EOS);
        for (String text : texts) {
            int[] ids = LabVocabulary.encode(text);
            assertThat(engine.encode(text, false)).as(text).isEqualTo(ids);
            assertThat(engine.encode(text, true)).as(text).isEqualTo(LabVocabulary.encodeWithBos(text));
            assertThat(engine.decode(ids, false)).as(text).isEqualTo(LabVocabulary.decode(ids, false));
            assertThat(engine.decode(ids, true)).as(text).isEqualTo(LabVocabulary.decode(ids, true));
        }
        int[] everyId = new int[128];
        Arrays.setAll(everyId, i -> i);
        assertThat(engine.decode(everyId, false)).isEqualTo(LabVocabulary.decode(everyId, false));
    }

    @Test
    void huggingFacesOwnTokenizerAgrees() throws Exception {
        if (System.getProperty("ENGINE_CACHE_DIR") == null) {
            // DJL unpacks its native library here: keep it in the build directory
            System.setProperty("ENGINE_CACHE_DIR", Files.createDirectories(dir.resolve("djl-cache")).toString());
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(dir.resolve("tokenizer.json"))
                .optTruncation(false).optPadding(false).build()) {
            for (String text : texts) {
                assertThat(toInts(hf.encode(text, false, false).getIds())).as(text).isEqualTo(LabVocabulary.encode(text));
                assertThat(toInts(hf.encode(text, true, false).getIds())).as(text)
                        .isEqualTo(LabVocabulary.encodeWithBos(text));
                long[] ids = Arrays.stream(LabVocabulary.encodeWithBos(text)).asLongStream().toArray();
                assertThat(hf.decode(ids, false)).as(text).isEqualTo(LabVocabulary.decode(toInts(ids), false));
                assertThat(hf.decode(ids, true)).as(text).isEqualTo(LabVocabulary.decode(toInts(ids), true));
            }
        }
    }

    @Test
    void everyTagIsOneTokenAndDistinct() {
        var seen = new HashSet<Integer>();
        for (String skill : LabSkills.names()) {
            int[] ids = LabVocabulary.encode("<" + skill + ">");
            assertThat(ids).containsExactly(LabVocabulary.tagId(skill));
            assertThat(seen.add(ids[0])).isTrue();
        }
    }

    private static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }
}
