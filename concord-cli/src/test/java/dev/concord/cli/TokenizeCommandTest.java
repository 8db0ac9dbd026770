package dev.concord.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path tmp;

    Path tokenizer;

    @BeforeEach
    void writeTinyTokenizer() throws Exception {
        tokenizer = tmp.resolve("tokenizer.json");
        Files.writeString(tokenizer, """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [{"id": 4, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                                   "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": null,
                 "post_processor": {"type": "TemplateProcessing",
                    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                    "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                    "special_tokens": {"<s>": {"id": "<s>", "ids": [4], "tokens": ["<s>"]}}},
                 "decoder": null,
                 "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                    "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                    "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3, "<s>": 4}, "merges": ["a b"]}}
                """);
    }

    @Test
    void encodesWithoutSpecialTokensByDefault() {
        CliRun r = CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--text", "abca");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("[2,3,0]");
    }

    @Test
    void addsTemplateTokensWhenAskedAndMatchesSpecialStringsInText() {
        assertThat(CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--text", "ab", "--add-special-tokens")
                .out().trim()).isEqualTo("[4,2]");
        assertThat(CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--text", "c<s>ab").out().trim())
                .isEqualTo("[3,4,2]");
    }

    @Test
    void encodesManyTextsInOrderAndDecodes() throws Exception {
        Path texts = tmp.resolve("texts.json");
        Files.writeString(texts, "[\"ab\", \"\", \"cab\"]");
        CliRun r = CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--texts-file", texts.toString());
        assertThat(r.out().trim()).isEqualTo("[[2],[],[3,2]]");
        assertThat(CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--decode", "4,2,3").out())
                .isEqualTo("<s> ab c\n"); // no decoder: HF joins tokens with spaces
    }

    @Test
    void badInputsAreOneLineErrors() throws Exception {
        CliRun noFile = CliRun.of("tokenize", "--tokenizer", tmp.resolve("x.json").toString(), "--text", "a");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err().lines().count()).isEqualTo(1);
        Path texts = tmp.resolve("bad.json");
        Files.writeString(texts, "[\"a\", 3]");
        CliRun bad = CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--texts-file", texts.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("element 1 is not a string");
        CliRun both = CliRun.of("tokenize", "--tokenizer", tokenizer.toString(), "--text", "a", "--decode", "1");
        assertThat(both.exitCode()).isEqualTo(2);
    }
}
