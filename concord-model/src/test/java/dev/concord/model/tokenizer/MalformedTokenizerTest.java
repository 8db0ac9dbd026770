package dev.concord.model.tokenizer;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken or unsupported files are refused at load with one line naming the file and what is wrong. */
class MalformedTokenizerTest {

    private static Path write(String name, String content) throws IOException {
        Path file = TokenizerFixtures.scratch("malformed").resolve(name + ".json");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void missingFile() {
        Path missing = TokenizerFixtures.scratch("malformed").resolve("does-not-exist.json");
        assertThatThrownBy(() -> Tokenizer.load(missing)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("not found");
    }

    @Test
    void badJson() throws IOException {
        Path file = write("bad-json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1");
    }

    @Test
    void truncatedJson() throws IOException {
        Path file = write("truncated", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void notAnObject() throws IOException {
        Path file = write("array", "[1, 2, 3]");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("one JSON object");
    }

    @Test
    void missingModel() throws IOException {
        Path file = write("no-model", "{\"version\": \"1.0\", \"added_tokens\": []}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("missing field 'model'");
    }

    @Test
    void unknownModelType() throws IOException {
        Path file = write("wordpiece", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("model")
                .hasMessageContaining("WordPiece");
    }

    @Test
    void mergeReferencingAnUnknownToken() throws IOException {
        Path file = write("bad-merge", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2},"
                + " \"merges\": [\"a b\", \"a z\"]}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("merges[1]")
                .hasMessageContaining("'z'");
    }

    @Test
    void mergeWhoseResultIsNotInTheVocabulary() throws IOException {
        Path file = write("bad-merge-result", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1},"
                + " \"merges\": [[\"a\", \"b\"]]}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'ab'");
    }

    @Test
    void mergeWithoutSeparator() throws IOException {
        Path file = write("merge-no-space", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"ab\"]}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.merges[0]");
    }

    @Test
    void mergePairOfWrongLength() throws IOException {
        Path file = write("merge-triple", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0},"
                + " \"merges\": [[\"a\", \"a\", \"a\"]]}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("two strings");
    }

    @Test
    void negativeOrNonIntegerVocabularyId() throws IOException {
        Path negative = write("negative-id", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(negative)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.vocab").hasMessageContaining("'a'");
        Path text = write("text-id", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"0\"}, \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.vocab");
    }

    @Test
    void absurdlyLargeIdIsRefusedBeforeAllocating() throws IOException {
        Path file = write("huge-id", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2000000000}, \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2000000000");
    }

    @Test
    void unkTokenOutsideTheVocabulary() throws IOException {
        Path file = write("bad-unk", "{\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"vocab\": {\"a\": 0},"
                + " \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unk_token '<unk>'");
    }

    @Test
    void dropoutIsRefused() throws IOException {
        Path file = write("dropout", "{\"model\": {\"type\": \"BPE\", \"dropout\": 0.1, \"vocab\": {\"a\": 0},"
                + " \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("dropout");
    }

    @Test
    void unknownComponentTypes() throws IOException {
        String model = "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}";
        for (String section : new String[] {"normalizer", "pre_tokenizer", "post_processor", "decoder"}) {
            Path file = write("unknown-" + section, "{\"" + section + "\": {\"type\": \"Mystery\"}, " + model + "}");
            assertThatThrownBy(() -> Tokenizer.load(file)).as(section)
                    .isInstanceOf(UnsupportedFeatureException.class)
                    .hasMessageContaining(file + ": " + section).hasMessageContaining("Mystery");
        }
    }

    @Test
    void nestedErrorsNameTheirJsonPath() throws IOException {
        Path file = write("nested", "{\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
                + "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(unclosed\"}, \"behavior\": \"Isolated\"}]},"
                + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("pre_tokenizer.pretokenizers[0].pattern")
                .hasMessageContaining("(unclosed");
    }

    @Test
    void badFieldTypesAndValues() throws IOException {
        String model = "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}";
        Path behavior = write("bad-behavior", "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"String\": \" \"},"
                + " \"behavior\": \"Sideways\"}, " + model + "}");
        assertThatThrownBy(() -> Tokenizer.load(behavior)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Sideways");
        Path flag = write("bad-flag", "{\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": \"yes\"}, "
                + model + "}");
        assertThatThrownBy(() -> Tokenizer.load(flag)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("add_prefix_space");
        Path replacement = write("bad-replacement", "{\"pre_tokenizer\": {\"type\": \"Metaspace\","
                + " \"replacement\": \"ab\"}, " + model + "}");
        assertThatThrownBy(() -> Tokenizer.load(replacement)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("exactly one character");
        Path template = write("bad-template", "{\"post_processor\": {\"type\": \"TemplateProcessing\","
                + " \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}], \"pair\": [],"
                + " \"special_tokens\": {}}, " + model + "}");
        assertThatThrownBy(() -> Tokenizer.load(template)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'<s>' is not declared");
        Path added = write("bad-added", "{\"added_tokens\": [{\"content\": \"<s>\"}], " + model + "}");
        assertThatThrownBy(() -> Tokenizer.load(added)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("added_tokens[0]").hasMessageContaining("'id'");
    }

    @Test
    void unknownVersion() throws IOException {
        Path file = write("version", "{\"version\": \"2.0\", \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("2.0");
    }

    @Test
    void unknownIdsAreReportedByIdToken() throws IOException {
        Path file = write("tiny-ok", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        Tokenizer tokenizer = Tokenizer.load(file);
        assertThatThrownBy(() -> tokenizer.idToken(5)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("5");
        assertThatThrownBy(() -> tokenizer.idToken(-1)).isInstanceOf(InvalidInputException.class);
    }
}
