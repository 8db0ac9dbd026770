package dev.concord.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Texts that exercise the corners of tokenization: scripts, whitespace, numbers, special-token strings, bytes. */
final class TokenizerCorpus {
    private TokenizerCorpus() {
    }

    static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of(
                "",
                "Hello world",
                "Hello, world! How are you today?",
                " leading space",
                "   three leading spaces",
                "trailing spaces   ",
                " ",
                "    ",
                "multiple    spaces   between    words",
                "line one\nline two\n\nline four",
                "\n",
                "\n\n\n",
                "windows\r\nline\r\nendings",
                "tabs\tand\t\tmore\ttabs",
                "\t \n \t\n mixed whitespace \u000b\u000c",
                "café naïve résumé Ångström jalapeño",
                "e\u0301 (decomposed e-acute) and é (composed)",
                "Straße ǅ ﬁ ﬂ ﬀ ｆｕｌｌｗｉｄｔｈ",
                "Привет, мир! Ελληνικά. שלום עולם. مرحبا بالعالم",
                "你好，世界！这是一个测试。",
                "日本語のテキストとカタカナ、ひらがな。",
                "한국어 텍스트입니다",
                "हिन्दी पाठ और ไทย ภาษา",
                "emoji 🎉🚀🔥 and skin tones 👍🏽 and families 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵",
                "math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 ∀x∈ℝ: x²≥0",
                "ancient 𓀀𓀁 ᚠᛇᚻ ꙮ",
                "12345678901234567890",
                "3.14159 2,718 1e10 -42 +7 0x1F 1_000_000",
                "٣٤٥ ١٢٣ ໑໒ ௧௨௩ Ⅻ ½ ²",
                "year 2024, in 1999; 10:30 am",
                "don't won't I'll we've they're she'd it's",
                "'S 'T 'RE 'VE 'M 'LL 'D 'ſ",
                "<s>",
                "</s>",
                "<unk>",
                "<s>Hello</s>",
                "a<s>b</s>c",
                " <s> spaced </s> ",
                "<|begin_of_text|>Hello<|end_of_text|>",
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>",
                "<|endoftext|><|endoftext|>",
                "<think>\nreasoning\n</think>\n\nanswer",
                "<tool_call>{\"name\": \"f\"}</tool_call>",
                "almost special: <|im_start <s <|endoftext| </s",
                "<0x0A> <0xFF> <0x41>",
                "control \u0000\u0001\u0007\u001b[31m\u007f end",
                "private use \uE000\uF8FF and noncharacter \uFFFE\uFFFF",
                "replacement \uFFFD char",
                "zero\u200bwidth\u200cjoiner\u200d and bom \ufeff",
                "nbsp\u00a0em\u2003ideographic\u3000space",
                "code: for (int i = 0; i < n; i++) { sum += a[i]; }",
                "def f(x):\n    return x ** 2  # square\n",
                "https://example.com/path?q=1&r=2#frag user@example.org",
                "!!!???...,,,;;;:::---___===+++",
                "ALL CAPS SHOUTING and MiXeD cAsE",
                "a",
                "é",
                "🎉",
                "x".repeat(300),
                "ab ".repeat(100)));
        texts.add(longText());
        return texts;
    }

    /** A few thousand words of mixed prose, code and scripts, to cover long inputs. */
    private static String longText() {
        Random random = new Random(20240607);
        String[] words = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "über", "naïve", "日本語",
                "テスト", "🎉", "12345", "3.14", ",", ".", "\n", "  ", "function", "return", "x_y", "HTTP", "Hello",
                "тест", "مرحبا", "<s>", "<|im_end|>", "don't", "\t", "中文", "ñ"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            text.append(words[random.nextInt(words.length)]);
            if (random.nextInt(4) != 0) {
                text.append(' ');
            }
        }
        return text.toString();
    }
}
