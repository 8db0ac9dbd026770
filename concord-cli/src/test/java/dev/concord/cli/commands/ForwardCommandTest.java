package dev.concord.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.cli.CliRun;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardCommandTest {
    @TempDir
    Path tmp;

    private static String tokensOf(String caseName) {
        try (SafetensorsFile f = SafetensorsFile.open(EngineFixtures.logits(caseName))) {
            String json = f.metadata().get("tokens");
            return json.replace("[", "").replace("]", "").replace(" ", "");
        }
    }

    private static float[] read(Path file, long rows, long vocab) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorEntry e = f.entry("logits");
            assertThat(f.names()).containsExactly("logits");
            assertThat(e.dtype()).isEqualTo(DType.F32);
            assertThat(e.shape()).containsExactly(rows, vocab);
            return f.readFloats("logits");
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void writesTheLogitsAtEveryPositionWithWeightedAdapters() {
        String tokens = tokensOf("llama-f32+a0.7+b0.5");
        Path out = tmp.resolve("logits.safetensors");
        CliRun r = CliRun.of("forward", "--model", EngineFixtures.model("llama-f32").toString(),
                "--adapter", EngineFixtures.adapter("llama-a-f32") + ":0.7",
                "--adapter", EngineFixtures.adapter("llama-b-bf16") + ":0.5",
                "--tokens", tokens, "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        int t = tokens.split(",").length;
        float[] actual = read(out, t, 272);
        float[] expected = read(EngineFixtures.logits("llama-f32+a0.7+b0.5"), t, 272);
        assertThat(maxDiff(actual, expected)).isLessThan(1e-3);
    }

    @Test
    void mergedAndShardedAndQuantizedRunsWork() {
        String tokens = tokensOf("qwen2-bf16+lora");
        int t = tokens.split(",").length;
        float[] expected = read(EngineFixtures.logits("qwen2-bf16+lora"), t, 230);
        Path merged = tmp.resolve("merged.safetensors");
        CliRun r = CliRun.of("forward", "--model", EngineFixtures.model("qwen2-bf16").toString(), "--merge",
                "--adapter", EngineFixtures.adapter("qwen2-bf16").toString(), "--tokens", tokens, "--out",
                merged.toString(), "--threads", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(maxDiff(read(merged, t, 230), expected)).isLessThan(1e-3);
        Path q8 = tmp.resolve("q8.safetensors");
        r = CliRun.of("forward", "--model", EngineFixtures.model("qwen2-bf16").toString(), "--quantize", "q8_0",
                "--adapter", EngineFixtures.adapter("qwen2-bf16").toString(), "--tokens", tokens, "--out", q8.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(maxDiff(read(q8, t, 230), expected)).isLessThan(1.0).isGreaterThan(1e-4);
    }

    @Test
    void badInputIsOneErrorLineAndExitCodeTwo() {
        String model = EngineFixtures.model("llama-f32").toString();
        Path existing = tmp.resolve("exists.safetensors");
        assertBad(CliRun.of("forward", "--model", model, "--tokens", "1,2", "--out", touch(existing).toString()),
                "already exists");
        Path out = tmp.resolve("o.safetensors");
        assertBad(CliRun.of("forward", "--model", model, "--tokens", "", "--out", out.toString()), "empty token list");
        assertBad(CliRun.of("forward", "--model", model, "--tokens", "1,x", "--out", out.toString()), "'x' at index 1");
        assertBad(CliRun.of("forward", "--model", model, "--tokens", "1,999", "--out", out.toString()),
                "token id 999 at index 1 is outside the vocabulary");
        assertBad(CliRun.of("forward", "--model", model, "--adapter", EngineFixtures.adapter("mistral-f16").toString(),
                "--tokens", "1", "--out", out.toString()), "model.layers.0.self_attn");
        assertBad(CliRun.of("forward", "--model", tmp.resolve("none").toString(), "--tokens", "1", "--out",
                out.toString()), "no such directory");
        assertBad(CliRun.of("forward", "--model", model, "--quantize", "q4", "--tokens", "1", "--out", out.toString()),
                "q4");
        assertThat(Files.exists(out)).isFalse();
    }

    private static Path touch(Path p) {
        try {
            return Files.writeString(p, "x");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void assertBad(CliRun r, String message) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").contains(message);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tokensMayHaveSpaces() {
        assertThat(ForwardCommand.parseTokens(" 1, 2 ,3 ")).containsExactly(1, 2, 3);
        assertThat(Arrays.stream(ForwardCommand.parseTokens("42")).boxed().collect(Collectors.toList()))
                .containsExactly(42);
    }
}
