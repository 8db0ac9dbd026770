package dev.concord.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.cli.CliRun;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {
    private static final String MODEL = EngineFixtures.model("llama-bf16").toString();
    private static final String ADAPTER = EngineFixtures.adapter("llama-a-f32").toString();

    @Test
    void jsonReportsTextTokensAndSpeeds() throws Exception {
        CliRun r = CliRun.of("generate", "--model", MODEL, "--adapter", ADAPTER, "--prompt", "The cat",
                "--max-tokens", "6", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("tokens").size()).isEqualTo(6);
        assertThat(j.get("text").isTextual()).isTrue();
        assertThat(j.get("prefill_tokens_per_s").asDouble()).isPositive();
        assertThat(j.get("decode_tokens_per_s").asDouble()).isPositive();
        // the prompt got the BOS the post-processor adds: <|begin_of_text|> T he Ġ c at
        assertThat(j.get("prompt_tokens").asInt()).isEqualTo(6);

        CliRun streamed = CliRun.of("generate", "--model", MODEL, "--adapter", ADAPTER, "--prompt", "The cat",
                "--max-tokens", "6");
        assertThat(streamed.exitCode()).isZero();
        assertThat(streamed.out()).isEqualTo(j.get("text").asText() + "\n");
    }

    @Test
    void seededSamplingRepeatsAndStopStringsCut() throws Exception {
        String[] args = {"generate", "--model", MODEL, "--prompt", "Hello", "--max-tokens", "10", "--temperature",
                "0.8", "--top-k", "40", "--top-p", "0.9", "--seed", "7", "--json"};
        CliRun a = CliRun.of(args);
        CliRun b = CliRun.of(args);
        assertThat(a.exitCode()).as(a.err()).isZero();
        JsonNode ja = new ObjectMapper().readTree(a.out());
        JsonNode jb = new ObjectMapper().readTree(b.out());
        assertThat(ja.get("tokens")).isEqualTo(jb.get("tokens"));
        String text = ja.get("text").asText();
        assertThat(jb.get("text").asText()).isEqualTo(text);
        // random weights emit random bytes: stop at the first ASCII letter after the start
        int at = 1;
        while (at < text.length() && !Character.isLetter(text.charAt(at)) || at < text.length() && text.charAt(at) > 127) {
            at++;
        }
        assertThat(at).as("a letter to stop at in " + text).isLessThan(text.length());
        String stop = String.valueOf(text.charAt(at));
        CliRun c = CliRun.of("generate", "--model", MODEL, "--prompt", "Hello", "--max-tokens", "10",
                "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9", "--seed", "7", "--stop", stop, "--json");
        JsonNode cut = new ObjectMapper().readTree(c.out());
        assertThat(cut.get("text").asText()).isEqualTo(text.substring(0, text.indexOf(stop)));
        assertThat(cut.get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void badOptionsAreOneErrorLine() {
        ForwardCommandTest.assertBad(CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--top-p", "0"),
                "--top-p");
        ForwardCommandTest.assertBad(CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--temperature", "-1"),
                "--temperature");
        ForwardCommandTest.assertBad(CliRun.of("generate", "--model", EngineFixtures.model("mistral-f32").toString(),
                "--prompt", "x"), "tokenizer.json");
        String longPrompt = "x ".repeat(300);
        ForwardCommandTest.assertBad(CliRun.of("generate", "--model", MODEL, "--prompt", longPrompt),
                "longer than the model's context");
    }
}
