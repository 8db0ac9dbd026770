package dev.concord.model.tokenizer;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Loads a tokenizer file with ours and with Hugging Face's library and checks that they agree on texts. */
final class OracleComparison {
    /** Short texts that touch every feature the tiny tokenizers configure. */
    static final List<String> INPUTS = List.of("", "Hello world", "hello world", " hello  world ", "HELLO World",
            "this is 123456 and 7 or 89", "tab\there\nnew line\n\n", "héllo wörld ﬁ Straße", "<s>hello</s>", "a<s>b",
            "[MASK] mask x [MASK]y", "<mask>, <mask>- a\u0330<mask>", "Hi <mask> there\t<mask>\t<mask>\u2000",
            "日本語 🎉 😀", "don't 'LL", "abc abcabc", "!!?.,", "   ", "▁already▁marked", "ßİΣ", "x  y   z",
            "end.", "1 22 333 4444");

    private OracleComparison() {
    }

    /** Asserts equal ids (with and without special tokens) and equal decodes on {@link #INPUTS}; returns ours. */
    static Tokenizer assertSameAsHuggingFace(Path file) {
        return assertSameAsHuggingFace(file, INPUTS);
    }

    static Tokenizer assertSameAsHuggingFace(Path file, List<String> inputs) {
        Tokenizer ours = Tokenizer.load(file);
        HfOracle oracle = HfOracle.load(file);
        for (String text : inputs) {
            for (boolean special : new boolean[] {false, true}) {
                int[] expected = oracle.encode(text, special);
                assertThat(ours.encode(text, special)).as("%s, special tokens %s: '%s'", file.getFileName(),
                        special, text).containsExactly(expected);
                assertThat(ours.decode(expected)).as("%s decode of '%s'", file.getFileName(), text)
                        .isEqualTo(oracle.decode(expected, false));
                assertThat(ours.decode(expected, true)).as("%s decode skipping specials of '%s'",
                        file.getFileName(), text).isEqualTo(oracle.decode(expected, true));
            }
        }
        return ours;
    }
}
