package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * PEFT's target rule (check_target_module_exists), case by case: the kinds of cases PEFT's own test suite pins
 * (tests/test_tuners_utils.py), written out as JSON configs.
 */
class TargetMatchingTest {

    private static boolean matches(String module, String fields) {
        return LoraConfig.parse("{\"peft_type\": \"LORA\", " + fields + "}", "t.json").matchesTarget(module);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // plain lists: exact name or "." + entry suffix
                Arguments.of("", "\"target_modules\": []", false),
                Arguments.of("", "\"target_modules\": [\"foo\"]", false),
                Arguments.of("foo", "\"target_modules\": []", false),
                Arguments.of("foo", "\"target_modules\": [\"foo\"]", true),
                Arguments.of("foo", "\"target_modules\": [\"bar\"]", false),
                Arguments.of("foo", "\"target_modules\": [\"bar\", \"foo\"]", true),
                Arguments.of("model.foo", "\"target_modules\": [\"foo\"]", true),
                Arguments.of("model.xfoo", "\"target_modules\": [\"foo\"]", false),
                Arguments.of("model.layers.0.self_attn.q_proj", "\"target_modules\": [\"self_attn.q_proj\"]", true),
                // a string is a regex the whole name must match
                Arguments.of("foo", "\"target_modules\": \"foo\"", true),
                Arguments.of("foo", "\"target_modules\": \".*oo\"", true),
                Arguments.of("foo", "\"target_modules\": \"fo.*\"", true),
                Arguments.of("foo", "\"target_modules\": \".*bar.*\"", false),
                Arguments.of("foobar", "\"target_modules\": \".*oba.*\"", true),
                Arguments.of("foobar", "\"target_modules\": \"oba\"", false),
                Arguments.of("model.decoder.layers.0.self_attn.q_proj",
                        "\"target_modules\": \".*decoder.*(q_proj|v_proj)\"", true),
                Arguments.of("model.encoder.layers.0.self_attn.q_proj",
                        "\"target_modules\": \".*decoder.*(q_proj|v_proj)\"", false),
                // layers_to_transform with a layers_pattern
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), true),
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "[0]", "[\"bar\"]"), false),
                Arguments.of("foo.bar.10.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), false),
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "[0, 1, 2]", "[\"bar\"]"), true),
                Arguments.of("foo.bar.1.baz", lt("[\"baz\", \"spam\"]", "[1]", "[\"bar\"]"), true),
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "1", "\"bar\""), true),
                Arguments.of("foo.bar.001.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), true),
                // the first numbered part after the pattern decides (not an inner index)
                Arguments.of("foo.bar.1.spam.2.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), true),
                Arguments.of("foo.bar.2.spam.1.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), false),
                Arguments.of("model.layers.1.mlp.experts.0.up_proj", lt("[\"up_proj\"]", "[1]", "null"), true),
                Arguments.of("model.layers.1.mlp.experts.0.up_proj", lt("[\"up_proj\"]", "[0]", "null"), false),
                // a layers_pattern that is not in the name: no layer index, no match
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "[1]", "[\"blocks\"]"), false),
                Arguments.of("foo.bar.1.baz", lt("[\"baz\"]", "[1]", "[\"baz\"]"), false),
                Arguments.of("transformer.h.1.attn.c_attn", lt("[\"c_attn\"]", "[1]", "[\"h\"]"), true),
                Arguments.of("transformer.h.1.attn.c_attn", lt("[\"c_attn\"]", "[1]", "[\"blocks\", \"h\"]"), true),
                Arguments.of("transformer.h.1.attn.c_attn", lt("[\"c_attn\"]", "[0]", "[\"h\"]"), false),
                // the part before the layer list is optional (PEFT PR #2158; earlier releases said false here)
                Arguments.of("bar.1.baz", lt("[\"baz\"]", "[1]", "[\"bar\"]"), true),
                Arguments.of("layers.3.self_attn.q_proj", lt("[\"q_proj\"]", "[3]", "null"), true),
                // no layers_pattern (null, "", []) means any name part before the index
                Arguments.of("foo.whatever.1.baz", lt("[\"baz\"]", "[1]", "[]"), true),
                Arguments.of("foo.whatever.1.baz", lt("[\"baz\"]", "[0]", "\"\""), false),
                Arguments.of("foo.whatever.1.baz", lt("[\"baz\"]", "[1]", "null"), true),
                // an empty layers_to_transform list means all layers
                Arguments.of("foo.bar.7.baz", "\"target_modules\": [\"baz\"], \"layers_to_transform\": []", true),
                // a module named exactly is targeted whatever its layer
                Arguments.of("model.layers.5.q_proj", lt("[\"model.layers.5.q_proj\"]", "[0]", "null"), true),
                // exclude_modules: list (exact or suffix) or regex, checked first
                Arguments.of("model.layers.0.q_proj", "\"target_modules\": [\"q_proj\"], \"exclude_modules\": "
                        + "[\"layers.0.q_proj\"]", false),
                Arguments.of("model.layers.1.q_proj", "\"target_modules\": [\"q_proj\"], \"exclude_modules\": "
                        + "[\"layers.0.q_proj\"]", true),
                Arguments.of("model.vision.q_proj", "\"target_modules\": [\"q_proj\"], \"exclude_modules\": "
                        + "\".*vision.*\"", false),
                Arguments.of("model.text.q_proj", "\"target_modules\": [\"q_proj\"], \"exclude_modules\": "
                        + "\".*vision.*\"", true),
                Arguments.of("model.layers.0.q_proj", "\"target_modules\": \".*q_proj\", \"exclude_modules\": "
                        + "[\"model.layers.0.q_proj\"]", false),
                // modules_to_save are never adapter targets, nor anything nested in them
                Arguments.of("lm_head", "\"target_modules\": [\"lm_head\"], \"modules_to_save\": [\"lm_head\"]", false),
                Arguments.of("score.dense", "\"target_modules\": [\"dense\"], \"modules_to_save\": [\"score\"]", false),
                Arguments.of("model.dense", "\"target_modules\": [\"dense\"], \"modules_to_save\": [\"score\"]", true),
                // all-linear: everything but the embedding and the output layer
                Arguments.of("model.layers.0.mlp.up_proj", "\"target_modules\": \"all-linear\"", true),
                Arguments.of("model.layers.0.mlp.up_proj", "\"target_modules\": \"ALL-LINEAR\"", true),
                Arguments.of("lm_head", "\"target_modules\": \"all-linear\"", false),
                Arguments.of("model.embed_tokens", "\"target_modules\": \"all-linear\"", false),
                // nothing recorded: PEFT used architecture defaults, so any module may be a target
                Arguments.of("model.layers.0.mlp.up_proj", "\"r\": 8", true),
                Arguments.of("model.layers.0.mlp.up_proj", "\"target_parameters\": [\"experts.w\"]", false));
    }

    private static String lt(String targets, String layers, String pattern) {
        return "\"target_modules\": " + targets + ", \"layers_to_transform\": " + layers + ", \"layers_pattern\": "
                + pattern;
    }

    @ParameterizedTest(name = "{0} with {1} -> {2}")
    @MethodSource("cases")
    void matchesLikePeft(String module, String fields, boolean expected) {
        assertThat(matches(module, fields)).isEqualTo(expected);
    }

    @Test
    void layerIndexIsTheFirstNumberedPartAfterThePattern() {
        assertThat(LayerIndex.of("model.layers.12.self_attn.q_proj")).isEqualTo(OptionalInt.of(12));
        assertThat(LayerIndex.of("model.layers.1.mlp.experts.7.w1")).isEqualTo(OptionalInt.of(1));
        assertThat(LayerIndex.of("lm_head")).isEmpty();
        assertThat(LayerIndex.of("model.embed_tokens")).isEmpty();
        assertThat(LayerIndex.of("model.h.3.x", List.of("layers"))).isEmpty();
        assertThat(LayerIndex.of("model.h.3.x", List.of("layers", "h"))).isEqualTo(OptionalInt.of(3));
        assertThat(LayerIndex.of("model.layers.99999999999.x")).as("too large for an int").isEmpty();
    }

    @Test
    void pythonRegexSpellingsAreTranslated() {
        assertThat(matches("model.q_proj", "\"target_modules\": \"(?P<head>.*)\\\\.(?P=head)?q_proj\\\\Z\"")).isTrue();
        assertThat(PythonRegex.toJava("(?P<x>a)(?P=x)\\Z")).isEqualTo("(?<x>a)\\k<x>\\z");
    }
}
