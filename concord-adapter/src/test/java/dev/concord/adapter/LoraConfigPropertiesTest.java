package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random valid adapter configs survive a write and re-read unchanged; random damage to their text is either
 * harmless or reported as InvalidInputException, never as any other exception.
 */
class LoraConfigPropertiesTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> NAMES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj", "embed_tokens", "lm_head", "c_attn", "self_attn.q_proj");
    private static final List<String> PATTERN_KEYS = List.of("q_proj", "o_proj", "model.layers.0.self_attn.o_proj",
            "layers\\.1\\..*", "^lm_head", "mlp\\.(up|down)_proj", ".*proj");
    private static final List<String> REGEXES = List.of(".*(q|v)_proj", ".*decoder.*", "model\\.layers\\.\\d+\\..*",
            "(?P<x>.*)proj");

    /** A random config that PEFT would accept. */
    static LoraConfig randomConfig(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        LoraConfig.Builder b = rnd.nextBoolean() ? LoraConfig.builder()
                : LoraConfig.parse("{\"peft_type\": \"LORA\"}", "seed").toBuilder();
        b.r(1 + rnd.nextInt(512));
        b.loraAlpha(rnd.nextBoolean() ? rnd.nextInt(1, 1024) : Math.round(rnd.nextDouble(0.01, 100) * 1000) / 1000.0);
        b.useRslora(rnd.nextBoolean());
        SequencedMap<String, Integer> ranks = new LinkedHashMap<>();
        SequencedMap<String, Double> alphas = new LinkedHashMap<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            ranks.put(pick(rnd, PATTERN_KEYS), 1 + rnd.nextInt(64));
            alphas.put(pick(rnd, PATTERN_KEYS), (double) rnd.nextInt(1, 128));
        }
        b.rankPattern(ranks).alphaPattern(alphas);
        int targetKind = rnd.nextInt(4);
        switch (targetKind) {
            case 0 -> b.targetModules(null);
            case 1 -> b.targetModules(new ModuleSelector.Regex(pick(rnd, REGEXES)));
            case 2 -> b.targetModules(new ModuleSelector.AllLinear(rnd.nextBoolean() ? "all-linear" : "ALL-LINEAR"));
            default -> {
                List<String> names = new ArrayList<>();
                for (int i = 1 + rnd.nextInt(5); i > 0; i--) {
                    names.add(pick(rnd, NAMES));
                }
                b.targetModules(new ModuleSelector.Names(names));
                if (rnd.nextBoolean()) {
                    List<Integer> layers = new ArrayList<>();
                    for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                        layers.add(1 + rnd.nextInt(40));
                    }
                    b.layersToTransform(layers);
                    if (rnd.nextBoolean()) {
                        b.layersPattern(List.of(rnd.nextBoolean() ? "layers" : "h"));
                    }
                }
            }
        }
        if (rnd.nextInt(3) == 0) {
            b.excludeModules(rnd.nextBoolean() ? new ModuleSelector.Names(List.of(pick(rnd, NAMES)))
                    : new ModuleSelector.Regex(pick(rnd, REGEXES)));
        }
        if (rnd.nextInt(3) == 0) {
            b.modulesToSave(List.of(rnd.nextBoolean() ? "lm_head" : "score"));
        }
        b.fanInFanOut(rnd.nextBoolean());
        b.bias(pick(rnd, List.of("none", "all", "lora_only")));
        b.useDora(rnd.nextInt(5) == 0);
        if (rnd.nextBoolean()) {
            b.taskType(pick(rnd, List.of("CAUSAL_LM", "SEQ_CLS", "SEQ_2_SEQ_LM")));
        }
        if (rnd.nextBoolean()) {
            b.baseModelNameOrPath("org/model-" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "-ünïcødé" : ""));
        }
        for (int i = rnd.nextInt(4); i > 0; i--) {
            b.field("extra_" + rnd.nextInt(100), randomJson(rnd, 2));
        }
        return b.build();
    }

    private static JsonNode randomJson(SplittableRandom rnd, int depth) {
        return switch (rnd.nextInt(depth > 0 ? 7 : 5)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(rnd.nextBoolean());
            case 2 -> F.numberNode(rnd.nextInt());
            case 3 -> F.numberNode(rnd.nextDouble(-1e6, 1e6));
            case 4 -> F.textNode("t\"\\\n" + rnd.nextInt() + "\u00e9\u4e2d");
            case 5 -> {
                var a = F.arrayNode();
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    a.add(randomJson(rnd, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    o.set("k" + rnd.nextInt(10), randomJson(rnd, depth - 1));
                }
                yield o;
            }
        };
    }

    private static <T> T pick(SplittableRandom rnd, List<T> from) {
        return from.get(rnd.nextInt(from.size()));
    }

    @Property(tries = 200)
    void validConfigsRoundTrip(@ForAll long seed) {
        LoraConfig c = randomConfig(seed);
        String text = c.toJson();
        LoraConfig back = LoraConfig.parse(text, "round-trip");
        assertThat(back).isEqualTo(c);
        assertThat(back.toJson()).isEqualTo(text);
        assertThat(back.r()).isEqualTo(c.r());
        assertThat(back.loraAlpha()).isEqualTo(c.loraAlpha());
        assertThat(back.rankPattern()).containsExactlyEntriesOf(c.rankPattern());
        assertThat(back.alphaPattern()).containsExactlyEntriesOf(c.alphaPattern());
        assertThat(back.targetModules()).isEqualTo(c.targetModules());
        for (String m : List.of("model.layers.0.self_attn.o_proj", "model.layers.1.mlp.up_proj", "lm_head")) {
            assertThat(back.scalingFor(m)).isEqualTo(c.scalingFor(m));
            assertThat(back.matchesTarget(m)).isEqualTo(c.matchesTarget(m));
        }
    }

    @Property(tries = 300)
    void damagedTextFailsOnlyWithInvalidInput(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(randomConfig(seed).toJson());
        String alphabet = "{}[]\":,0123456789-.eE truefalsnl\\x\u00e9";
        for (int i = 0; i < edits && !text.isEmpty(); i++) {
            int at = rnd.nextInt(text.length());
            switch (rnd.nextInt(4)) {
                case 0 -> text.deleteCharAt(at);
                case 1 -> text.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                case 2 -> text.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                default -> text.setLength(at);
            }
        }
        parseExpectingOnlyInvalidInput(text.toString());
    }

    @Property(tries = 200)
    void wrongTypesFailOnlyWithInvalidInput(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ObjectNode json = randomConfig(seed).json();
        List<String> fields = List.of("peft_type", "r", "lora_alpha", "use_rslora", "rank_pattern", "alpha_pattern",
                "target_modules", "exclude_modules", "layers_to_transform", "layers_pattern", "fan_in_fan_out",
                "bias", "modules_to_save", "use_dora", "task_type", "base_model_name_or_path", "lora_bias",
                "target_parameters", "layer_replication");
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            json.set(pick(rnd, fields), randomJson(rnd, 2));
        }
        parseExpectingOnlyInvalidInput(json.toString());
    }

    private static void parseExpectingOnlyInvalidInput(String text) {
        try {
            LoraConfig c = LoraConfig.parse(text, "damaged");
            // whatever was accepted must be usable
            c.scalingFor("model.layers.0.self_attn.q_proj");
            c.matchesTarget("model.layers.0.self_attn.q_proj");
            c.unsupportedReason();
            assertThat(LoraConfig.parse(c.toJson(), "again")).isEqualTo(c);
        } catch (InvalidInputException expected) {
            assertThat(expected.getMessage()).startsWith("damaged: ").doesNotContain("\n");
        }
    }
}
