package dev.concord.merge.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MergeSummary;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.OutputFormat;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tsv, knots and lora_lego through the whole merge pipeline (registry, parameter resolution, adapter and delta
 * writers) on the PEFT fixture adapters: mixed ranks, rsLoRA, a rank_pattern, BF16, and an adapter that targets
 * only q_proj and v_proj.
 */
class LowRankRunnerTest {
    private static final String[] METHODS = {"tsv", "knots", "lora_lego"};

    @TempDir
    Path tmp;

    static List<AdapterInput> adapters(String... specs) {
        return Stream.of(specs).map(s -> {
            int colon = s.indexOf(':');
            String name = colon < 0 ? s : s.substring(0, colon);
            return AdapterInput.parse(fixture(name) + (colon < 0 ? "" : s.substring(colon)));
        }).toList();
    }

    static Path fixture(String adapter) {
        try {
            return Path.of(LowRankRunnerTest.class.getResource("/peft-merge/adapters/" + adapter).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    MergeSummary run(String method, Map<String, Object> params, List<AdapterInput> in, OutputFormat f, Path out,
            Integer rank, int threads) {
        return MergeRunner.run(new MergeRequest(MethodRegistry.get(method), in, new FixedParameters(params, in), 7,
                rank, f, null, out, false, threads, null), Progress.none());
    }

    @Test
    void theMethodsAreRegisteredThroughTheServiceFile() {
        assertThat(MethodRegistry.names()).contains(METHODS);
        assertThat(MethodRegistry.get("tsv")).isInstanceOf(TsvMethod.class);
        assertThat(MethodRegistry.get("knots")).isInstanceOf(KnotsMethod.class);
        assertThat(MethodRegistry.get("lora_lego")).isInstanceOf(LoraLegoMethod.class);
    }

    @Test
    void adapterOutputIsExactMatchesTheDeltaAndIsByteIdenticalWhateverTheThreadCount() throws IOException {
        List<AdapterInput> in = adapters("r4_rslora:0.7", "r16_pattern:0.9", "r6_qv:-1.3", "r8_bf16:1");
        Map<String, Map<String, Object>> params = Map.of("tsv", Map.of(), "knots",
                Map.of("inner", "dare_ties", "density", "0.3"), "lora_lego", Map.of("rank", "6"));
        for (String method : METHODS) {
            Path delta = tmp.resolve(method + "-delta");
            Path one = tmp.resolve(method + "-1");
            Path two = tmp.resolve(method + "-2");
            run(method, params.get(method), in, OutputFormat.DELTA, delta, null, 2);
            run(method, params.get(method), in, OutputFormat.ADAPTER, one, null, 1);
            MergeSummary s = run(method, params.get(method), in, OutputFormat.ADAPTER, two, null, 2);
            for (String f : List.of("adapter_config.json", "adapter_model.safetensors", "merge_report.json")) {
                assertThat(Files.readAllBytes(two.resolve(f))).as(method + " " + f)
                        .isEqualTo(Files.readAllBytes(one.resolve(f)));
            }
            // the result is factored: written exactly, nothing lost
            assertThat(s.minRetainedEnergy()).as(method).isEqualTo(1.0);
            try (SafetensorsFile d = SafetensorsFile.open(delta.resolve(DeltaOutput.FILE_NAME));
                    LoraAdapter a = LoraAdapter.load(two)) {
                assertThat(a.modules()).hasSize(14);
                for (LoraModule m : a.modules()) {
                    float[] want = d.readFloats(m.name() + ".weight");
                    float[] got = m.taskVector().dense().data();
                    double max = 0;
                    for (float v : want) {
                        max = Math.max(max, Math.abs(v));
                    }
                    assertThat(max).as(method + " " + m.name()).isPositive();
                    for (int j = 0; j < want.length; j++) {
                        assertThat((double) got[j]).as(method + " " + m.name())
                                .isCloseTo(want[j], within(1e-5 * max));
                    }
                }
            }
        }
    }

    @Test
    void ranksFollowEachMethodsRule() throws IOException {
        List<AdapterInput> in = adapters("r4_rslora", "r8_f32", "r6_qv");
        Path tsv = tmp.resolve("tsv");
        Path lego = tmp.resolve("lego");
        Path cut = tmp.resolve("cut");
        run("tsv", Map.of(), in, OutputFormat.ADAPTER, tsv, null, 1);
        run("lora_lego", Map.of("rank", "5"), in, OutputFormat.ADAPTER, lego, null, 1);
        MergeSummary s = run("knots", Map.of(), in, OutputFormat.ADAPTER, cut, 3, 1);
        try (LoraAdapter t = LoraAdapter.load(tsv); LoraAdapter l = LoraAdapter.load(lego);
                LoraAdapter c = LoraAdapter.load(cut)) {
            for (LoraModule m : t.modules()) {
                boolean qv = m.name().endsWith("q_proj") || m.name().endsWith("v_proj");
                // tasks present: 3 on q/v, else 2; k/v are [32, 64], so the share ⌊32 / 3⌋ = 10 never binds
                assertThat(m.rank()).as(m.name()).isEqualTo(4 + 8 + (qv ? 6 : 0));
            }
            l.modules().forEach(m -> assertThat(m.rank()).as(m.name()).isEqualTo(5));
            c.modules().forEach(m -> assertThat(m.rank()).as(m.name()).isEqualTo(3));
        }
        // --rank below the result's rank truncates it, and the loss is reported
        assertThat(s.minRetainedEnergy()).isLessThan(1.0).isGreaterThan(0.0);
    }

    @Test
    void theReportRecordsEveryParameterWithItsDefault() throws IOException {
        List<AdapterInput> in = adapters("r8_f32", "r4_rslora");
        Path out = tmp.resolve("out");
        run("knots", Map.of("inner", "dare_ties"), in, OutputFormat.DELTA, out, null, 1);
        JsonNode p = new ObjectMapper().readTree(out.resolve("merge_report.json").toFile()).get("parameters");
        assertThat(p.get("inner").asText()).isEqualTo("dare_ties");
        assertThat(p.get("density").get(0).asDouble()).isEqualTo(0.2);
        assertThat(p.get("majority_sign").asText()).isEqualTo("total");
        assertThat(p.get("lambda").asDouble()).isEqualTo(1.0);
    }
}
