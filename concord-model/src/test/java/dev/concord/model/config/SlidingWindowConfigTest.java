package dev.concord.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Sliding-window defaults follow transformers' config classes, key by key. */
class SlidingWindowConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode config(String architecture, String modelType) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(architecture);
        c.put("model_type", modelType);
        c.put("hidden_size", 64);
        c.put("intermediate_size", 128);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("num_key_value_heads", 2);
        c.put("vocab_size", 100);
        return c;
    }

    @Test
    void mistralWithoutTheKeyGetsTransformersDefaultWindow() {
        ModelConfig cfg = ModelConfigReader.parse(config("MistralForCausalLM", "mistral"), "config.json");
        assertThat(cfg.slidingWindow()).isEqualTo(OptionalInt.of(4096));
        assertThat(cfg.usesSlidingWindow(0)).isTrue();
    }

    @Test
    void mistralWithExplicitNullHasNoWindow() {
        ObjectNode c = config("MistralForCausalLM", "mistral");
        c.putNull("sliding_window");
        ModelConfig cfg = ModelConfigReader.parse(c, "config.json");
        assertThat(cfg.slidingWindow()).isEmpty();
        assertThat(cfg.usesSlidingWindow(1)).isFalse();
    }

    @Test
    void mistralWithAnExplicitWindowKeepsIt() {
        ObjectNode c = config("MistralForCausalLM", "mistral");
        c.put("sliding_window", 512);
        assertThat(ModelConfigReader.parse(c, "config.json").slidingWindow()).isEqualTo(OptionalInt.of(512));
    }

    @Test
    void llamaNeverSlides() {
        ObjectNode c = config("LlamaForCausalLM", "llama");
        c.put("sliding_window", 512);
        assertThat(ModelConfigReader.parse(c, "config.json").slidingWindow()).isEmpty();
    }
}
