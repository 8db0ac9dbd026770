package dev.concord.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.error.InvalidInputException;
import dev.concord.merge.output.AdapterOutput;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge pipeline end to end on the PEFT fixture adapters: outputs, provenance, determinism, refusals. */
class MergeRunnerTest {
    @TempDir
    Path tmp;

    static List<AdapterInput> adapters(String... specs) {
        return Stream.of(specs).map(s -> {
            int colon = s.indexOf(':');
            String name = colon < 0 ? s : s.substring(0, colon);
            return AdapterInput.parse(Fixtures.peft("adapters/" + name) + (colon < 0 ? "" : s.substring(colon)));
        }).toList();
    }

    static MergeSummary run(String method, Map<String, Object> params, List<AdapterInput> in, OutputFormat f, Path out,
            Integer rank, int threads) {
        return MergeRunner.run(new MergeRequest(MethodRegistry.get(method), in, new FixedParameters(params, in), 7, rank,
                f, null, out, false, threads, null), Progress.none());
    }

    @Test
    void adapterOutputReproducesTheDeltaWithinTheReportedEnergy() throws IOException {
        List<AdapterInput> in = adapters("r8_f32:1", "r16_pattern:-0.5", "r6_qv:1.2");
        Path delta = tmp.resolve("delta");
        Path adapter = tmp.resolve("adapter");
        run("ties", Map.of("density", 0.3), in, OutputFormat.DELTA, delta, null, 2);
        MergeSummary s = run("ties", Map.of("density", 0.3), in, OutputFormat.ADAPTER, adapter, null, 2);
        JsonNode report = new ObjectMapper().readTree(adapter.resolve("merge_report.json").toFile());
        try (SafetensorsFile d = SafetensorsFile.open(delta.resolve(DeltaOutput.FILE_NAME));
                LoraAdapter a = LoraAdapter.load(adapter)) {
            assertThat(a.config().useRslora()).isFalse();
            String meta = a.metadata().get(AdapterOutput.RETAINED_ENERGY_KEY);
            JsonNode energies = new ObjectMapper().readTree(meta);
            assertThat(a.modules()).hasSize(14);
            for (LoraModule m : a.modules()) {
                // each module's rank defaults to its largest input rank; scaling is folded in (alpha = r)
                int expectedRank = m.name().equals("model.layers.0.self_attn.o_proj") ? 8 : 16;
                assertThat(m.rank()).as(m.name()).isEqualTo(expectedRank);
                assertThat(m.scaling()).isEqualTo(1.0);
                float[] want = d.readFloats(m.name() + ".weight");
                float[] got = m.taskVector().dense().data();
                double total = 0;
                double residual = 0;
                for (int j = 0; j < want.length; j++) {
                    total += (double) want[j] * want[j];
                    residual += (double) (want[j] - got[j]) * (want[j] - got[j]);
                }
                double e = energies.get(m.name()).asDouble();
                assertThat(report.get("retained_energy").get(m.name()).asDouble()).isEqualTo(e);
                assertThat(e).isBetween(0.0, 1.0);
                assertThat(1 - residual / total).as(m.name()).isCloseTo(e, within(1e-4));
            }
        }
        assertThat(s.minRetainedEnergy()).isLessThan(1.0);
    }

    @Test
    void linearAdapterIsTheExactRankConcatenationWithPatternsWhereRanksDiffer() {
        List<AdapterInput> in = adapters("r4_rslora:0.7", "r16_pattern:0.9", "r6_qv:-1.3");
        Path delta = tmp.resolve("delta");
        Path adapter = tmp.resolve("adapter");
        run("linear", Map.of(), in, OutputFormat.DELTA, delta, null, 2);
        run("linear", Map.of(), in, OutputFormat.ADAPTER, adapter, null, 2);
        try (SafetensorsFile d = SafetensorsFile.open(delta.resolve(DeltaOutput.FILE_NAME));
                LoraAdapter a = LoraAdapter.load(adapter)) {
            assertThat(a.modules()).hasSize(14);
            for (LoraModule m : a.modules()) {
                boolean qv = m.name().endsWith("q_proj") || m.name().endsWith("v_proj");
                int r16 = m.name().equals("model.layers.0.self_attn.o_proj") ? 4 : 16;
                assertThat(m.rank()).as(m.name()).isEqualTo(4 + r16 + (qv ? 6 : 0));
                assertThat(m.alpha()).isEqualTo(m.rank());
                float[] want = d.readFloats(m.name() + ".weight");
                float[] got = m.taskVector().dense().data();
                double max = 0;
                for (float v : want) {
                    max = Math.max(max, Math.abs(v));
                }
                for (int j = 0; j < want.length; j++) {
                    assertThat((double) got[j]).isCloseTo(want[j], within(1e-5 * max + 1e-7));
                }
            }
        }
    }

    @Test
    void sameInputsGiveByteIdenticalOutputWhateverTheThreadCount() throws IOException {
        List<AdapterInput> in = adapters("r8_f32:1", "r8_bf16:0.35", "r16_pattern:0.8");
        for (String method : List.of("dare_ties", "ties", "della")) {
            Path one = tmp.resolve(method + "-1");
            Path two = tmp.resolve(method + "-2");
            run(method, Map.of(), in, OutputFormat.ADAPTER, one, null, 1);
            run(method, Map.of(), in, OutputFormat.ADAPTER, two, null, 2);
            for (String f : List.of("adapter_config.json", "adapter_model.safetensors", "merge_report.json")) {
                assertThat(Files.readAllBytes(two.resolve(f))).as(method + " " + f)
                        .isEqualTo(Files.readAllBytes(one.resolve(f)));
            }
        }
        Path d1 = tmp.resolve("d1");
        Path d2 = tmp.resolve("d2");
        run("dare_linear", Map.of(), in, OutputFormat.DELTA, d1, null, 1);
        run("dare_linear", Map.of(), in, OutputFormat.DELTA, d2, null, 2);
        assertThat(Files.readAllBytes(d2.resolve(DeltaOutput.FILE_NAME)))
                .isEqualTo(Files.readAllBytes(d1.resolve(DeltaOutput.FILE_NAME)));
    }

    @Test
    void reportRecordsMethodParametersSeedAndInputHashes() throws IOException {
        List<AdapterInput> in = adapters("r8_f32:1", "r6_qv:0.5");
        Path out = tmp.resolve("out");
        run("dare_ties", Map.of("density", "0.3", "majority_sign", "frequency"), in, OutputFormat.DELTA, out, null, 2);
        JsonNode r = new ObjectMapper().readTree(out.resolve("merge_report.json").toFile());
        assertThat(r.get("method").asText()).isEqualTo("dare_ties");
        assertThat(r.get("seed").asLong()).isEqualTo(7);
        assertThat(r.get("parameters").get("density").get(0).asDouble()).isEqualTo(0.3);
        assertThat(r.get("parameters").get("majority_sign").asText()).isEqualTo("frequency");
        assertThat(r.get("parameters").get("dare_rescale").asText()).isEqualTo("inverse");
        assertThat(r.get("inputs").get(1).get("weight").asDouble()).isEqualTo(0.5);
        assertThat(r.get("inputs").get(0).get("adapter_model_sha256").asText())
                .isEqualTo(MergeInputs.sha256(Fixtures.peft("adapters/r8_f32/adapter_model.safetensors")));
        assertThat(r.get("concord_version").asText()).isNotBlank();
    }

    @Test
    void refusesAnExistingOutputAndLeavesItUntouched() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("exists"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> run("linear", Map.of(), adapters("r8_f32"), OutputFormat.ADAPTER, out, null, 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("already exists");
        assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void badParametersFailBeforeAnythingIsWritten() throws IOException {
        Path out = tmp.resolve("never");
        assertThatThrownBy(() -> run("ties", Map.of("density", "1.5"), adapters("r8_f32"), OutputFormat.ADAPTER, out,
                null, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("--density")
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> run("darex", Map.of(), adapters("r8_f32"), OutputFormat.ADAPTER, out, null, 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--q");
        assertThatThrownBy(() -> run("della", Map.of("density", "0.1", "epsilon", "0.2"), adapters("r8_f32"),
                OutputFormat.ADAPTER, out, null, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("density - epsilon");
        assertThatThrownBy(() -> MethodRegistry.get("nope")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("known methods: linear, task_arithmetic, cat, ties");
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void peftMethodsRefuseUnequalRanksAndNameTheModule() {
        assertThatThrownBy(() -> run("peft_linear", Map.of(), adapters("r8_f32", "r4_rslora"), OutputFormat.ADAPTER,
                tmp.resolve("o"), null, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("equal rank").hasMessageContaining("model.layers.0.mlp.down_proj");
    }

    @Test
    void adaptersForDifferentBaseShapesAreRefusedNamingModuleAndShapes() {
        Path small = SyntheticAdapters.write(tmp.resolve("in/small"), SyntheticAdapterSpec.tinyLlama(1));
        Path wide = SyntheticAdapters.write(tmp.resolve("in/wide"), new SyntheticAdapterSpec(64, 192, 2, 4, 2, 256, 8, 16,
                false, SyntheticAdapterSpec.ALL_PROJECTIONS, dev.concord.tensor.DType.F32, 0.02, 2));
        List<AdapterInput> in = List.of(AdapterInput.parse(small.toString()), AdapterInput.parse(wide.toString()));
        assertThatThrownBy(() -> run("linear", Map.of(), in, OutputFormat.DELTA, tmp.resolve("o"), null, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("different base shapes")
                .hasMessageContaining("model.layers.0.mlp.down_proj")
                .hasMessageContaining("[64, 160]").hasMessageContaining("[64, 192]");
        assertThat(tmp.resolve("o")).doesNotExist();
    }
}
