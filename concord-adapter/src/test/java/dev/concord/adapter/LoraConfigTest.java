package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.concord.error.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;

class LoraConfigTest {
    private static LoraConfig parse(String json) {
        return LoraConfig.parse(json, "test.json");
    }

    @Test
    void readsTheFixtureConfigsWithTheScalingsTheirReadmeStates() {
        assertThat(LoraConfig.read(Fixtures.adapter("r4_rslora").resolve("adapter_config.json"))
                .scalingFor("model.layers.0.self_attn.q_proj")).isEqualTo(8 / Math.sqrt(4));
        assertThat(LoraConfig.read(Fixtures.adapter("r8_f32").resolve("adapter_config.json"))
                .scalingFor("model.layers.1.mlp.down_proj")).isEqualTo(2.0);
        assertThat(LoraConfig.read(Fixtures.adapter("r8_bf16").resolve("adapter_config.json"))
                .scalingFor("model.layers.1.mlp.down_proj")).isEqualTo(1.0);
        assertThat(LoraConfig.read(Fixtures.adapter("r6_qv").resolve("adapter_config.json"))
                .scalingFor("model.layers.0.self_attn.v_proj")).isEqualTo(1.5);

        LoraConfig pattern = LoraConfig.read(Fixtures.adapter("r16_pattern").resolve("adapter_config.json"));
        assertThat(pattern.rankFor("model.layers.0.self_attn.o_proj")).isEqualTo(4);
        assertThat(pattern.alphaFor("model.layers.0.self_attn.o_proj")).isEqualTo(12.0);
        assertThat(pattern.scalingFor("model.layers.0.self_attn.o_proj")).isEqualTo(3.0);
        assertThat(pattern.rankFor("model.layers.1.self_attn.o_proj")).isEqualTo(16);
        assertThat(pattern.scalingFor("model.layers.1.self_attn.o_proj")).isEqualTo(2.5);
        assertThat(pattern.peftType()).isEqualTo("LORA");
        assertThat(pattern.taskType()).contains("CAUSAL_LM");
        assertThat(pattern.baseModelNameOrPath()).contains("tiny-llama");
        assertThat(pattern.targetModules()).contains(new ModuleSelector.Names(
                List.of("down_proj", "up_proj", "gate_proj", "o_proj", "v_proj", "k_proj", "q_proj")));
    }

    @Test
    void rsloraUsesTheModuleRankFromThePattern() {
        LoraConfig c = parse("""
                {"peft_type": "LORA", "r": 16, "lora_alpha": 32, "use_rslora": true,
                 "rank_pattern": {"o_proj": 4}, "alpha_pattern": {"q_proj": 8}}""");
        assertThat(c.scalingFor("model.layers.0.self_attn.o_proj")).isEqualTo(32 / Math.sqrt(4));
        assertThat(c.scalingFor("model.layers.0.self_attn.q_proj")).isEqualTo(8 / Math.sqrt(16));
        assertThat(c.scalingFor("model.layers.0.self_attn.k_proj")).isEqualTo(32 / Math.sqrt(16));
    }

    @Test
    void patternKeysMatchAsRegexSuffixesAtAPartBoundary() {
        SequencedMap<String, Integer> ranks = new LinkedHashMap<>();
        ranks.put("q_proj", 2);
        ranks.put("layers\\.1\\..*proj", 3);
        LoraConfig c = LoraConfig.builder().r(8).rankPattern(ranks).build();
        assertThat(c.rankFor("model.layers.0.self_attn.q_proj")).isEqualTo(2);
        assertThat(c.rankFor("q_proj")).as("the prefix is optional").isEqualTo(2);
        // a suffix that does not start at a '.' boundary does not match
        assertThat(c.rankFor("model.layers.0.self_attn.xq_proj")).isEqualTo(8);
        // the key is a regex: any proj in layer 1 that the first key did not claim
        assertThat(c.rankFor("model.layers.1.mlp.up_proj")).isEqualTo(3);
        // the first key in file order wins when both match
        assertThat(c.rankFor("model.layers.1.self_attn.q_proj")).isEqualTo(2);
        assertThat(c.rankPatternKeyFor("model.layers.1.mlp.up_proj")).contains("layers\\.1\\..*proj");
        assertThat(c.rankPatternKeyFor("model.layers.0.mlp.up_proj")).isEmpty();
    }

    @Test
    void patternOrderDecidesAndIsKept() {
        String a = """
                {"peft_type": "LORA", "r": 8, "rank_pattern": {"proj": 2, "q_proj": 4}}""";
        String b = """
                {"peft_type": "LORA", "r": 8, "rank_pattern": {"q_proj": 4, "proj": 2}}""";
        // "proj" must match a whole name part, so it does not claim q_proj: order does not matter here ...
        assertThat(parse(a).rankFor("m.q_proj")).isEqualTo(4);
        String c = """
                {"peft_type": "LORA", "r": 8, "rank_pattern": {".*proj": 2, "q_proj": 4}}""";
        String d = """
                {"peft_type": "LORA", "r": 8, "rank_pattern": {"q_proj": 4, ".*proj": 2}}""";
        // ... but a regex that matches both makes the first key win
        assertThat(parse(c).rankFor("m.q_proj")).isEqualTo(2);
        assertThat(parse(d).rankFor("m.q_proj")).isEqualTo(4);
        assertThat(parse(c)).isNotEqualTo(parse(d));
        assertThat(parse(a)).isNotEqualTo(parse(b));
        assertThat(parse(parse(c).toJson())).isEqualTo(parse(c));
        assertThat(List.copyOf(parse(parse(d).toJson()).rankPattern().keySet())).containsExactly("q_proj", ".*proj");
    }

    @Test
    void caretAnchoredKeyMatchesOnlyTheExactName() {
        LoraConfig c = parse("""
                {"peft_type": "LORA", "r": 8, "rank_pattern": {"^foo": 2}}""");
        assertThat(c.rankFor("foo")).isEqualTo(2);
        assertThat(c.rankFor("model.foo")).isEqualTo(8);
    }

    @Test
    void defaultsFollowPeft() {
        LoraConfig c = parse("{\"peft_type\": \"LORA\"}");
        assertThat(c.r()).isEqualTo(8);
        assertThat(c.loraAlpha()).isEqualTo(8.0);
        assertThat(c.useRslora()).isFalse();
        assertThat(c.bias()).isEqualTo("none");
        assertThat(c.fanInFanOut()).isFalse();
        assertThat(c.targetModules()).isEmpty();
        assertThat(c.modulesToSave()).isEmpty();
        assertThat(c.layersToTransform()).isEmpty();
        assertThat(c.scalingFor("x")).isEqualTo(1.0);
    }

    @Test
    void floatAlphaIsAccepted() {
        assertThat(parse("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 6.5}").scalingFor("m")).isEqualTo(1.625);
    }

    @Test
    void unknownFieldsArePreservedThroughToJson() {
        String text = """
                {"peft_type": "LORA", "r": 4, "lora_dropout": 0.05, "init_lora_weights": "gaussian",
                 "revision": null, "megatron_config": {"a": [1, 2]}, "some_future_field": {"x": true}}""";
        LoraConfig c = parse(text);
        LoraConfig back = parse(c.toJson());
        assertThat(back).isEqualTo(c);
        assertThat(back.json().get("init_lora_weights").textValue()).isEqualTo("gaussian");
        assertThat(back.json().get("some_future_field").get("x").booleanValue()).isTrue();
        assertThat(back.json().get("lora_dropout").doubleValue()).isEqualTo(0.05);
        assertThat(back.json().has("revision")).isTrue();
    }

    @Test
    void toJsonLooksLikePythonsJsonDumpsIndent2() {
        LoraConfig c = parse("""
                {"peft_type": "LORA", "r": 4, "rank_pattern": {}, "target_modules": ["q_proj", "v_proj"]}""");
        assertThat(c.toJson()).isEqualTo("""
                {
                  "peft_type": "LORA",
                  "r": 4,
                  "rank_pattern": {},
                  "target_modules": [
                    "q_proj",
                    "v_proj"
                  ]
                }""");
    }

    @Test
    void malformedConfigsAreRefusedWithOneLineNamingTheField() {
        assertBad("", "empty, expected a JSON object");
        assertBad("[1]", "must hold a JSON object");
        assertBad("{\"peft_type\": \"LORA\", \"r\": 1} x", "not valid JSON");
        assertBad("{\"peft_type\": \"LORA\", \"r\": 1, \"r\": 2}", "not valid JSON");
        assertBad("{\"r\": 8}", "no peft_type");
        assertBad("{\"peft_type\": \"LORA\", \"x\": 1.5e99999999999}", "not valid JSON");
        assertBad("{\"peft_type\": \"LORA\", \"r\": 0}", "field 'r' must be a positive integer, got 0");
        assertBad("{\"peft_type\": \"LORA\", \"r\": 8.0}", "field 'r' must be a positive integer");
        assertBad("{\"peft_type\": \"LORA\", \"r\": \"eight\"}", "field 'r' must be a positive integer, got \"eight\"");
        assertBad("{\"peft_type\": \"LORA\", \"lora_alpha\": \"x\"}", "field 'lora_alpha' must be a finite number");
        assertBad("{\"peft_type\": \"LORA\", \"use_rslora\": 1}", "field 'use_rslora' must be true or false");
        assertBad("{\"peft_type\": \"LORA\", \"rank_pattern\": {\"q\": -1}}", "rank_pattern['q'] must be a positive");
        assertBad("{\"peft_type\": \"LORA\", \"alpha_pattern\": {\"q\": \"x\"}}", "alpha_pattern['q'] must be a finite");
        assertBad("{\"peft_type\": \"LORA\", \"rank_pattern\": {\"q(\": 2}}", "rank_pattern key \"q(\" is not a valid regular expression");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": 3}", "field 'target_modules' must be a list");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": [\"a\", 1]}", "must be a list of strings");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": \"(\"}", "target_modules: \"(\" is not a valid regular");
        assertBad("{\"peft_type\": \"LORA\", \"bias\": \"some\"}", "field 'bias' must be one of");
        assertBad("{\"peft_type\": \"LORA\", \"layers_to_transform\": [-1]}", "layers_to_transform' must be a non-negative");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": \".*q\", \"layers_to_transform\": [1]}",
                "layers_to_transform cannot be used when target_modules is a string");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": \".*q\", \"layers_pattern\": \"layers\"}",
                "layers_pattern cannot be used when target_modules is a string");
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": [\"q\"], \"layers_pattern\": \"layers\"}",
                "layers_pattern is set but layers_to_transform is not");
        // PEFT tests `not layers_to_transform`, which is also true for the integer 0
        assertBad("{\"peft_type\": \"LORA\", \"target_modules\": [\"q\"], \"layers_pattern\": \"layers\", "
                + "\"layers_to_transform\": 0}", "layers_pattern is set but layers_to_transform is not");
    }

    private static void assertBad(String json, String fragment) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("test.json: ")
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void readReportsMissingFileAndBadEncoding(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> LoraConfig.read(tmp.resolve("nope.json")))
                .isInstanceOf(InvalidInputException.class).hasMessageEndingWith("nope.json: no such file");
        Path bad = tmp.resolve("bad.json");
        java.nio.file.Files.write(bad, new byte[] {'{', (byte) 0xff, '}'});
        assertThatThrownBy(() -> LoraConfig.read(bad))
                .isInstanceOf(InvalidInputException.class).hasMessageEndingWith("not valid UTF-8");
    }

    @Test
    void unsupportedReasonsAreReportedInPriorityOrder() {
        assertThat(parse("{\"peft_type\": \"IA3\"}").unsupportedReason()).get().asString()
                .contains("peft_type is \"IA3\"");
        assertThat(parse("{\"peft_type\": \"LORA\", \"use_dora\": true, \"bias\": \"all\"}").unsupportedReason())
                .get().asString().contains("DoRA");
        assertThat(parse("{\"peft_type\": \"LORA\", \"bias\": \"lora_only\"}").unsupportedReason()).get().asString()
                .contains("bias is \"lora_only\"");
        assertThat(parse("{\"peft_type\": \"LORA\", \"lora_bias\": true}").unsupportedReason()).get().asString()
                .contains("lora_bias");
        assertThat(parse("{\"peft_type\": \"LORA\", \"target_parameters\": [\"experts.w1\"]}").unsupportedReason())
                .get().asString().contains("target_parameters");
        assertThat(parse("{\"peft_type\": \"LORA\", \"layer_replication\": [[0, 2]]}").unsupportedReason())
                .get().asString().contains("layer_replication");
        assertThat(parse("{\"peft_type\": \"LORA\", \"target_parameters\": null}").unsupportedReason()).isEmpty();
    }

    @Test
    void builderProducesWhatParsingTheSameTextProduces() {
        LoraConfig built = LoraConfig.builder().r(4).loraAlpha(8).useRslora(true)
                .targetModules(new ModuleSelector.Names(List.of("q_proj", "v_proj")))
                .baseModelNameOrPath("meta-llama/Llama-3.2-1B").taskType("CAUSAL_LM")
                .field("lora_dropout", new com.fasterxml.jackson.databind.node.DoubleNode(0.1))
                .build();
        assertThat(parse(built.toJson())).isEqualTo(built);
        assertThat(built.json().get("lora_alpha").isIntegralNumber()).as("whole alpha written as int").isTrue();
        assertThat(built.toBuilder().loraAlpha(2.5).build().json().get("lora_alpha").doubleValue()).isEqualTo(2.5);
        assertThat(built.toBuilder().field("revision", TextNode.valueOf("main")).build().json().get("revision")
                .textValue()).isEqualTo("main");
        assertThat(built.toBuilder().field("lora_dropout", null).build().json().has("lora_dropout")).isFalse();
        assertThatThrownBy(() -> built.toBuilder().r(0).build()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void perModuleReproducesEveryRankAndAlpha() {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        Map<String, Double> alphas = new LinkedHashMap<>();
        for (int layer = 0; layer < 12; layer++) {
            for (String p : List.of("q_proj", "v_proj")) {
                String m = "model.layers." + layer + ".self_attn." + p;
                ranks.put(m, layer == 1 ? 24 : 16);
                alphas.put(m, layer == 11 && p.equals("v_proj") ? 7.5 : 16.0);
            }
        }
        LoraConfig c = LoraConfig.builder().perModule(ranks, alphas).build();
        assertThat(c.r()).isEqualTo(16);
        assertThat(c.loraAlpha()).isEqualTo(16.0);
        assertThat(c.rankPattern()).hasSize(2);
        assertThat(c.alphaPattern()).hasSize(1);
        ranks.forEach((m, r) -> assertThat(c.rankFor(m)).as(m).isEqualTo(r));
        alphas.forEach((m, a) -> assertThat(c.alphaFor(m)).as(m).isEqualTo(a));
        // layer 1 must not leak into layer 11 (its plain name is a regex: "model.layers.1.self_attn.q_proj")
        assertThat(c.rankFor("model.layers.11.self_attn.q_proj")).isEqualTo(16);
    }

    @Test
    void perModuleAnchorsNamesWhenAPlainNameWouldAlsoClaimAnotherModule() {
        // "a.q" as a pattern also matches "x.a.q", so plain full names cannot give the two different ranks
        Map<String, Integer> ranks = Map.of("a.q", 4, "x.a.q", 8, "y.q", 8);
        Map<String, Double> alphas = Map.of("a.q", 8.0, "x.a.q", 8.0, "y.q", 8.0);
        LoraConfig c = LoraConfig.builder().perModule(ranks, alphas).build();
        ranks.forEach((m, r) -> assertThat(c.rankFor(m)).as(m).isEqualTo(r));
        assertThat(c.rankPattern().keySet()).containsExactly("^a\\.q");
    }

    @Test
    void scalingIsExactlyPythonsFloatDivision() {
        LoraConfig c = parse("{\"peft_type\": \"LORA\", \"r\": 3, \"lora_alpha\": 7}");
        assertThat(c.scalingFor("m")).isEqualTo(7.0 / 3.0);
        LoraConfig rs = parse("{\"peft_type\": \"LORA\", \"r\": 3, \"lora_alpha\": 7, \"use_rslora\": true}");
        assertThat(rs.scalingFor("m")).isEqualTo(7 / Math.sqrt(3));
    }
}
