package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterWriterTest {
    @TempDir
    Path tmp;

    private static FloatMatrix random(int rows, int cols, long seed) {
        return TaskVectorTest.random(rows, cols, new SplittableRandom(seed));
    }

    private static LoraConfig config(int r, double alpha) {
        return LoraConfig.builder().r(r).loraAlpha(alpha).targetModules(new ModuleSelector.Names(List.of("q_proj")))
                .build();
    }

    @Test
    void writtenFactorsLoadBackWithTheirValuesInEachDtype() {
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            FloatMatrix a = random(4, 10, 1);
            FloatMatrix b = random(6, 4, 2);
            Path out = tmp.resolve("w-" + dtype);
            AdapterWriter.write(out, config(4, 8), List.of(ModuleFactors.of("m.q_proj", ModuleKind.LINEAR, a, b, dtype)));
            try (LoraAdapter back = LoraAdapter.load(out)) {
                LoraModule m = back.module("m.q_proj").orElseThrow();
                assertThat(m.dtype()).isEqualTo(dtype);
                assertThat(m.scaling()).isEqualTo(2.0);
                float[] got = m.a().data();
                for (int i = 0; i < got.length; i++) {
                    float want = a.data()[i];
                    float tol = dtype == DType.F32 ? 0 : dtype == DType.F16 ? Math.abs(want) / 1024 : Math.abs(want) / 128;
                    assertThat(got[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(tol + 1e-7f));
                }
            }
        }
    }

    @Test
    void fromTaskVectorReproducesTheUpdateForEveryOrientation() {
        SplittableRandom rnd = new SplittableRandom(5);
        TaskVector linear = TaskVector.of(0.3, random(7, 3, 10), random(3, 5, 11)); // [out 7, in 5]
        TaskVector embedding = TaskVector.of(-1.2, random(9, 3, 12), random(3, 4, 13)); // [vocab 9, hidden 4]
        LoraConfig c = LoraConfig.builder().r(3).loraAlpha(6).useRslora(rnd.nextBoolean()).build();
        double s = c.scalingFor("x");
        Path out = tmp.resolve("tv");
        AdapterWriter.write(out, c.toBuilder().fanInFanOut(false).build(), List.of(
                ModuleFactors.fromTaskVector("lin", ModuleKind.LINEAR, false, linear, s, DType.F32),
                ModuleFactors.fromTaskVector("emb", ModuleKind.EMBEDDING, false, embedding, s, DType.F32)));
        try (LoraAdapter back = LoraAdapter.load(out)) {
            assertClose(back.module("lin").orElseThrow().taskVector().dense(), linear.dense());
            assertClose(back.module("emb").orElseThrow().taskVector().dense(), embedding.dense());
            assertThat(back.module("lin").orElseThrow().inFeatures()).isEqualTo(5);
            assertThat(back.module("emb").orElseThrow().inFeatures()).isEqualTo(9);
        }
        Path fifo = tmp.resolve("fifo");
        TaskVector conv1d = TaskVector.of(2, random(5, 3, 14), random(3, 7, 15)); // [in 5, out 7]
        AdapterWriter.write(fifo, c.toBuilder().fanInFanOut(true).build(),
                List.of(ModuleFactors.fromTaskVector("c_attn", ModuleKind.LINEAR, true, conv1d, s, DType.F32)));
        try (LoraAdapter back = LoraAdapter.load(fifo)) {
            LoraModule m = back.module("c_attn").orElseThrow();
            assertThat(m.inFeatures()).isEqualTo(5);
            assertThat(m.outFeatures()).isEqualTo(7);
            assertClose(m.taskVector().dense(), conv1d.dense());
        }
    }

    private static void assertClose(FloatMatrix got, FloatMatrix want) {
        assertThat(got.rows()).isEqualTo(want.rows());
        assertThat(got.cols()).isEqualTo(want.cols());
        for (int i = 0; i < got.data().length; i++) {
            assertThat(got.data()[i]).isCloseTo(want.data()[i],
                    org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(want.data()[i]))));
        }
    }

    @Test
    void outputIsDeterministic() throws Exception {
        List<ModuleFactors> f = List.of(
                ModuleFactors.of("b.q_proj", ModuleKind.LINEAR, random(2, 3, 1), random(4, 2, 2), DType.BF16),
                ModuleFactors.of("a.q_proj", ModuleKind.LINEAR, random(2, 3, 3), random(4, 2, 4), DType.F32));
        AdapterWriter.write(tmp.resolve("one"), config(2, 4), f);
        AdapterWriter.write(tmp.resolve("two"), config(2, 4), f.reversed());
        for (String file : List.of(LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE)) {
            assertThat(Files.readAllBytes(tmp.resolve("two").resolve(file)))
                    .isEqualTo(Files.readAllBytes(tmp.resolve("one").resolve(file)));
        }
        try (var s = dev.concord.tensor.safetensors.SafetensorsFile.open(tmp.resolve("one").resolve(LoraAdapter.WEIGHTS_FILE))) {
            // F32 tensors before BF16 ones, then by name, as the safetensors library orders them
            assertThat(s.tensors().stream().map(e -> e.name()).toList()).containsExactly(
                    "base_model.model.a.q_proj.lora_A.weight", "base_model.model.a.q_proj.lora_B.weight",
                    "base_model.model.b.q_proj.lora_A.weight", "base_model.model.b.q_proj.lora_B.weight");
            assertThat(s.metadata()).isEqualTo(Map.of("format", "pt"));
        }
    }

    @Test
    void inconsistentInputIsRefusedBeforeAnythingIsWritten() {
        ModuleFactors f = ModuleFactors.of("m.q_proj", ModuleKind.LINEAR, random(2, 3, 1), random(4, 2, 2), DType.F32);
        assertThatThrownBy(() -> AdapterWriter.write(tmp.resolve("x"), config(8, 8), List.of(f)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("module 'm.q_proj' has rank 2 but the config gives it rank 8");
        assertThatThrownBy(() -> AdapterWriter.write(tmp.resolve("x"), config(2, 8), List.of(f, f)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("given twice");
        assertThatThrownBy(() -> AdapterWriter.write(tmp.resolve("x"), config(2, 8).toBuilder().useDora(true).build(),
                List.of(f))).isInstanceOf(UnsupportedFeatureException.class);
        assertThatThrownBy(() -> ModuleFactors.of("m", ModuleKind.LINEAR, random(2, 3, 1), random(4, 3, 2), DType.F32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disagree on the rank");
        assertThatThrownBy(() -> ModuleFactors.of("m", ModuleKind.LINEAR, random(2, 3, 1), random(4, 2, 2), DType.I8))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aFailureMidWriteLeavesNothingBehind() throws Exception {
        ModuleFactors broken = ModuleFactors.generated("m.q_proj", ModuleKind.LINEAR, 2, 3, 4, DType.F32,
                () -> random(2, 3, 1), () -> {
                    throw new IllegalStateException("generator failed");
                });
        assertThatThrownBy(() -> AdapterWriter.write(tmp.resolve("out"), config(2, 4), List.of(broken)))
                .hasMessageContaining("generator failed");
        try (var s = Files.list(tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    private static List<ModuleFactors> small() {
        return List.of(ModuleFactors.of("m.q_proj", ModuleKind.LINEAR, random(2, 3, 1), random(4, 2, 2), DType.F32));
    }

    @Test
    void anExistingTargetIsRefusedEvenWhenEmptyUnlessReplacing() throws Exception {
        // AtomicDirectory's rule (the stricter one): an output directory must not exist yet, not even empty
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> AdapterWriter.write(empty, config(2, 4), small()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("already exists (an empty directory");
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> AdapterWriter.write(busy, config(2, 4), small()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("already exists and is not empty");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> AdapterWriter.write(file, config(2, 4), small(), true))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("is not a directory");
        assertThat(busy.resolve("keep.txt")).exists();

        AdapterWriter.write(empty, config(2, 4), small(), true);
        AdapterWriter.write(busy, config(2, 4), small(), true);
        assertThat(empty.resolve(LoraAdapter.WEIGHTS_FILE)).exists();
        assertThat(busy.resolve("keep.txt")).doesNotExist();
        try (var s = Files.list(busy)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE);
        }
        try (var s = Files.list(tmp)) {
            // no staging or set-aside directories left behind
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("empty", "busy", "file");
        }
    }

    @Test
    void aFailedReplacementLeavesTheOldDirectoryIntact() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(out.resolve("keep.txt"), "x");
        ModuleFactors broken = ModuleFactors.generated("m.q_proj", ModuleKind.LINEAR, 2, 3, 4, DType.F32,
                () -> random(2, 3, 1), () -> {
                    throw new IllegalStateException("generator failed");
                });
        assertThatThrownBy(() -> AdapterWriter.write(out, config(2, 4), List.of(broken), true))
                .hasMessageContaining("generator failed");
        assertThat(out.resolve("keep.txt")).hasContent("x");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("old");
        }
    }

    @Test
    void metadataIsWrittenWithFormatFirstAndTheOtherKeysSorted() throws Exception {
        Map<String, String> meta = new java.util.HashMap<>(Map.of("zeta", "1", "concord.retained_energy",
                "{\"m.q_proj\":0.5}", "alpha", "2"));
        AdapterWriter.write(tmp.resolve("one"), config(2, 4), small(), meta, false);
        AdapterWriter.write(tmp.resolve("two"), config(2, 4), small(), new java.util.TreeMap<>(meta), false);
        assertThat(Files.readAllBytes(tmp.resolve("two").resolve(LoraAdapter.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(tmp.resolve("one").resolve(LoraAdapter.WEIGHTS_FILE)));
        try (var s = dev.concord.tensor.safetensors.SafetensorsFile.open(tmp.resolve("one").resolve(LoraAdapter.WEIGHTS_FILE))) {
            // the header keeps the file's key order
            assertThat(List.copyOf(s.metadata().keySet()))
                    .containsExactly("format", "alpha", "concord.retained_energy", "zeta");
            assertThat(s.metadata()).containsEntry("format", "pt").containsEntry("concord.retained_energy",
                    "{\"m.q_proj\":0.5}");
        }
        AdapterWriter.write(tmp.resolve("tf"), config(2, 4), small(), Map.of("format", "tf"), false);
        try (var s = dev.concord.tensor.safetensors.SafetensorsFile.open(tmp.resolve("tf").resolve(LoraAdapter.WEIGHTS_FILE))) {
            assertThat(s.metadata()).isEqualTo(Map.of("format", "tf"));
        }
    }

    @Test
    void writeIntoFillsADirectoryStagedByTheCaller() throws Exception {
        Path target = tmp.resolve("merged");
        try (dev.concord.io.AtomicDirectory out = dev.concord.io.AtomicDirectory.create(target, false)) {
            AdapterWriter.writeInto(out.staging(), config(2, 4), small(), Map.of("k", "v"));
            Files.writeString(out.staging().resolve("report.json"), "{}");
            assertThat(target).doesNotExist();
            out.commit();
        }
        try (LoraAdapter back = LoraAdapter.load(target)) {
            assertThat(back.moduleNames()).containsExactly("m.q_proj");
            assertThat(back.metadata()).isEqualTo(Map.of("format", "pt", "k", "v"));
        }
        // the same bytes as a standalone write of the same adapter and metadata
        AdapterWriter.write(tmp.resolve("alone"), config(2, 4), small(), Map.of("k", "v"), false);
        assertThat(Files.readAllBytes(target.resolve(LoraAdapter.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(tmp.resolve("alone").resolve(LoraAdapter.WEIGHTS_FILE)));
        assertThatThrownBy(() -> AdapterWriter.writeInto(tmp.resolve("absent"), config(2, 4), small(), Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> AdapterWriter.writeInto(target, config(8, 8), small(), Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("has rank 2");
    }
}
