package dev.concord.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --format model: base + merged delta in the base dtype, other tensors and side files copied. */
class ModelOutputTest {
    @TempDir
    Path tmp;

    /** A tiny Llama-shaped base checkpoint in BF16 (the fixture adapters' shapes) with an embedding and a norm. */
    private Path base() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("base"));
        Random r = new Random(3);
        List<TensorData> tensors = new ArrayList<>();
        tensors.add(TensorData.ofFloats("model.embed_tokens.weight", DType.BF16, new long[] {256, 64}, random(r, 256 * 64)));
        for (int layer = 0; layer < 2; layer++) {
            String p = "model.layers." + layer + ".";
            tensors.add(TensorData.ofFloats(p + "self_attn.q_proj.weight", DType.BF16, new long[] {64, 64}, random(r, 4096)));
            tensors.add(TensorData.ofFloats(p + "self_attn.k_proj.weight", DType.BF16, new long[] {32, 64}, random(r, 2048)));
            tensors.add(TensorData.ofFloats(p + "self_attn.v_proj.weight", DType.BF16, new long[] {32, 64}, random(r, 2048)));
            tensors.add(TensorData.ofFloats(p + "self_attn.o_proj.weight", DType.BF16, new long[] {64, 64}, random(r, 4096)));
            tensors.add(TensorData.ofFloats(p + "mlp.gate_proj.weight", DType.BF16, new long[] {160, 64}, random(r, 10240)));
            tensors.add(TensorData.ofFloats(p + "mlp.up_proj.weight", DType.BF16, new long[] {160, 64}, random(r, 10240)));
            tensors.add(TensorData.ofFloats(p + "mlp.down_proj.weight", DType.BF16, new long[] {64, 160}, random(r, 10240)));
        }
        tensors.add(TensorData.ofFloats("model.norm.weight", DType.F32, new long[] {64}, random(r, 64)));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        return dir;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.02);
        }
        return v;
    }

    @Test
    void writesBasePlusDeltaInTheBaseDtypeAndCopiesTheRest() throws IOException {
        Path base = base();
        List<AdapterInput> in = MergeRunnerTest.adapters("r8_f32:1", "r6_qv:0.5");
        Path delta = tmp.resolve("delta");
        Path model = tmp.resolve("model");
        MergeRunnerTest.run("ties", Map.of(), in, OutputFormat.DELTA, delta, null, 2);
        MergeRunner.run(new MergeRequest(MethodRegistry.get("ties"), in, new FixedParameters(Map.of(), in), 7, null,
                OutputFormat.MODEL, base, model, false, 2, null), Progress.none());
        assertThat(Files.readString(model.resolve("config.json"))).isEqualTo("{\"model_type\": \"llama\"}");
        assertThat(model.resolve("tokenizer.json")).exists();
        assertThat(model.resolve("merge_report.json")).exists();
        try (SafetensorsFile b = SafetensorsFile.open(base.resolve("model.safetensors"));
                SafetensorsFile d = SafetensorsFile.open(delta.resolve(DeltaOutput.FILE_NAME));
                SafetensorsFile m = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            assertThat(m.names()).containsExactlyElementsOf(b.names());
            for (String n : b.names()) {
                assertThat(m.entry(n).dtype()).isEqualTo(b.entry(n).dtype());
                if (!d.contains(n)) {
                    assertThat(m.segment(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                            .isEqualTo(b.segment(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    continue;
                }
                float[] bv = b.readFloats(n);
                float[] dv = d.readFloats(n);
                float[] mv = m.readFloats(n);
                for (int i = 0; i < bv.length; i++) {
                    float want = FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(bv[i] + dv[i]));
                    assertThat(mv[i]).as("%s[%d]", n, i).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void refusesMissingBaseAndABaseOfAnotherShapeWithoutWritingAnything() throws IOException {
        List<AdapterInput> in = MergeRunnerTest.adapters("r8_f32");
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> MergeRunner.run(new MergeRequest(MethodRegistry.get("linear"), in,
                new FixedParameters(Map.of(), in), 0, null, OutputFormat.MODEL, null, out, false, 1, null), Progress.none()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--base");
        Path other = Files.createDirectories(tmp.resolve("other"));
        SafetensorsWriter.write(other.resolve("model.safetensors"), List.of(TensorData.ofFloats(
                "model.layers.0.mlp.down_proj.weight", DType.F32, new long[] {64, 128}, new float[64 * 128])), Map.of());
        assertThatThrownBy(() -> MergeRunner.run(new MergeRequest(MethodRegistry.get("linear"), in,
                new FixedParameters(Map.of(), in), 0, null, OutputFormat.MODEL, other, out, false, 1, null), Progress.none()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model.layers.0");
        assertThat(out).doesNotExist();
    }
}
