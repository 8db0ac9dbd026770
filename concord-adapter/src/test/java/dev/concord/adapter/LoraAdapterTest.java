package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorData;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraAdapterTest {
    private static final String Q = "model.layers.0.self_attn.q_proj";
    private static final String QA = "base_model.model." + Q + ".lora_A.weight";
    private static final String QB = "base_model.model." + Q + ".lora_B.weight";

    @TempDir
    Path tmp;

    private static float[] values(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** A valid rank-2 q_proj pair: A [2, 4], B [3, 2]. */
    private static List<TensorData> qPair() {
        return new ArrayList<>(List.of(
                TensorData.ofFloats(QA, DType.F32, new long[] {2, 4}, values(8, 1)),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 2}, values(6, 2))));
    }

    private Path dir(String config, List<TensorData> tensors) {
        return Fixtures.adapterDir(tmp.resolve("a" + System.nanoTime()), config, tensors);
    }

    // ---- the PEFT fixtures ----------------------------------------------------------------------------------

    @Test
    void loadsEveryFixtureWithPeftsRanksScalingsAndShapes() {
        for (String name : Fixtures.NAMES) {
            try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter(name))) {
                assertThat(a.modules()).as(name).hasSize(name.equals("r6_qv") ? 4 : 14);
                assertThat(a.untargetedModules()).as(name).isEmpty();
                assertThat(a.layers()).containsExactly(0, 1);
                assertThat(a.hasModulesToSave()).isFalse();
                assertThat(a.metadata()).containsEntry("format", "pt");
                for (LoraModule m : a.modules()) {
                    assertThat(m.kind()).isEqualTo(ModuleKind.LINEAR);
                    assertThat(m.dtype()).isEqualTo(name.equals("r8_bf16") ? DType.BF16 : DType.F32);
                    assertThat(m.scaling()).isEqualTo(a.config().scalingFor(m.name()));
                    assertThat(m.a().rows()).isEqualTo(m.rank());
                    assertThat(m.b().cols()).isEqualTo(m.rank());
                    m.checkFinite();
                }
            }
        }
        try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r16_pattern"))) {
            LoraModule o0 = a.module("model.layers.0.self_attn.o_proj").orElseThrow();
            assertThat(o0.rank()).isEqualTo(4);
            assertThat(o0.alpha()).isEqualTo(12.0);
            assertThat(o0.scaling()).isEqualTo(3.0);
            LoraModule k1 = a.module("model.layers.1.self_attn.k_proj").orElseThrow();
            assertThat(k1.rank()).isEqualTo(16);
            assertThat(k1.scaling()).isEqualTo(2.5);
            assertThat(k1.inFeatures()).isEqualTo(64);
            assertThat(k1.outFeatures()).isEqualTo(32);
            assertThat(k1.deltaRows()).isEqualTo(32);
            assertThat(k1.deltaCols()).isEqualTo(64);
            assertThat(k1.parameterCount()).isEqualTo(16L * (64 + 32));
            LoraModule down = a.module("model.layers.0.mlp.down_proj").orElseThrow();
            assertThat(down.inFeatures()).isEqualTo(160);
            assertThat(down.outFeatures()).isEqualTo(64);
        }
        try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r4_rslora"))) {
            assertThat(a.modules()).allSatisfy(m -> assertThat(m.scaling()).isEqualTo(4.0));
        }
    }

    /**
     * PEFT computed linear_4 = 0.7·τ(r4_rslora) + 1.1·τ(r8_f32) − 0.4·τ(r8_bf16) + 0.9·τ(r16_pattern) in float64;
     * our task vectors must reproduce it, which checks scaling (rslora, patterns), orientation and bf16 widening.
     */
    @Test
    void taskVectorsReproducePeftsLinearMerge() {
        List<String> names = List.of("r4_rslora", "r8_f32", "r8_bf16", "r16_pattern");
        double[] weights = {0.7, 1.1, -0.4, 0.9};
        List<LoraAdapter> adapters = names.stream().map(n -> LoraAdapter.load(Fixtures.adapter(n))).toList();
        try (SafetensorsFile expected = SafetensorsFile.open(Fixtures.expected("linear_4.safetensors"))) {
            assertThat(expected.names()).hasSize(14);
            for (String module : adapters.getFirst().moduleNames()) {
                FloatMatrix want = expected.readMatrix(module + ".weight");
                double[] sum = new double[want.data().length];
                for (int i = 0; i < adapters.size(); i++) {
                    FloatMatrix tau = adapters.get(i).module(module).orElseThrow().taskVector().dense();
                    assertThat(tau.rows()).isEqualTo(want.rows());
                    assertThat(tau.cols()).isEqualTo(want.cols());
                    for (int j = 0; j < sum.length; j++) {
                        sum[j] += weights[i] * tau.data()[j];
                    }
                }
                double maxAbs = 0;
                double maxDiff = 0;
                for (int j = 0; j < sum.length; j++) {
                    maxAbs = Math.max(maxAbs, Math.abs(want.data()[j]));
                    maxDiff = Math.max(maxDiff, Math.abs(want.data()[j] - sum[j]));
                }
                assertThat(maxAbs).as(module).isGreaterThan(0);
                assertThat(maxDiff).as(module).isLessThanOrEqualTo(1e-5 + 1e-4 * maxAbs);
            }
        } finally {
            adapters.forEach(LoraAdapter::close);
        }
    }

    @Test
    void taskVectorNormMatchesItsDenseForm() {
        try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r8_bf16"))) {
            for (LoraModule m : a.modules()) {
                TaskVector tau = m.taskVector();
                assertThat(tau.rows()).isEqualTo(m.deltaRows());
                assertThat(tau.cols()).isEqualTo(m.deltaCols());
                assertThat(tau.rank()).isEqualTo(8);
                assertThat(tau.scale()).isEqualTo(1.0);
                double dense = tau.dense().frobeniusNorm();
                assertThat(tau.frobeniusNorm()).isCloseTo(dense, org.assertj.core.data.Percentage.withPercentage(1e-4));
            }
        }
    }

    // ---- save ----------------------------------------------------------------------------------------------

    @Test
    void saveRoundTripsEveryFixtureByteForByte() throws Exception {
        for (String name : Fixtures.NAMES) {
            Path out = tmp.resolve("saved-" + name);
            try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter(name))) {
                a.save(out);
            }
            assertSameTensorBytes(Fixtures.adapter(name).resolve(LoraAdapter.WEIGHTS_FILE),
                    out.resolve(LoraAdapter.WEIGHTS_FILE));
            // the safetensors layout also matches the library PEFT saved with, so the whole file is identical
            assertThat(Files.readAllBytes(out.resolve(LoraAdapter.WEIGHTS_FILE)))
                    .isEqualTo(Files.readAllBytes(Fixtures.adapter(name).resolve(LoraAdapter.WEIGHTS_FILE)));
            assertThat(LoraConfig.read(out.resolve(LoraAdapter.CONFIG_FILE)))
                    .isEqualTo(LoraConfig.read(Fixtures.adapter(name).resolve(LoraAdapter.CONFIG_FILE)));
            try (LoraAdapter back = LoraAdapter.load(out)) {
                assertThat(back.moduleNames()).hasSize(name.equals("r6_qv") ? 4 : 14);
            }
        }
    }

    static void assertSameTensorBytes(Path a, Path b) {
        try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fb = SafetensorsFile.open(b)) {
            assertThat(fb.names()).containsExactlyInAnyOrderElementsOf(fa.names());
            for (String n : fa.names()) {
                assertThat(fb.entry(n).dtype()).isEqualTo(fa.entry(n).dtype());
                assertThat(fb.entry(n).shape()).isEqualTo(fa.entry(n).shape());
                assertThat(fb.segment(n).toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(fa.segment(n).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void saveRefusesToOverwriteUnlessAsked() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "x");
        try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r6_qv"))) {
            assertThatThrownBy(() -> a.save(out)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("already exists and is not empty");
            assertThat(out.resolve("keep.txt")).exists();
            a.save(out, true);
        }
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve(LoraAdapter.CONFIG_FILE)).exists();
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("busy");
        }
    }

    // ---- embeddings and fan_in_fan_out ---------------------------------------------------------------------

    @Test
    void embeddingAdapterGivesTheTransposedProduct() {
        int r = 3;
        int vocab = 11;
        int hidden = 5;
        float[] a = values(r * vocab, 5);
        float[] b = values(hidden * r, 6);
        Path d = dir("""
                {"peft_type": "LORA", "r": 3, "lora_alpha": 6, "target_modules": ["embed_tokens", "q_proj"]}""",
                List.of(TensorData.ofFloats("base_model.model.model.embed_tokens.lora_embedding_A", DType.F32,
                                new long[] {r, vocab}, a),
                        TensorData.ofFloats("base_model.model.model.embed_tokens.lora_embedding_B", DType.F32,
                                new long[] {hidden, r}, b)));
        try (LoraAdapter adapter = LoraAdapter.load(d)) {
            LoraModule m = adapter.module("model.embed_tokens").orElseThrow();
            assertThat(m.kind()).isEqualTo(ModuleKind.EMBEDDING);
            assertThat(m.inFeatures()).isEqualTo(vocab);
            assertThat(m.outFeatures()).isEqualTo(hidden);
            assertThat(m.layerIndex()).isEmpty();
            assertThat(adapter.layers()).isEmpty();
            FloatMatrix tau = m.taskVector().dense();
            assertThat(tau.rows()).isEqualTo(vocab);
            assertThat(tau.cols()).isEqualTo(hidden);
            for (int v = 0; v < vocab; v++) {
                for (int h = 0; h < hidden; h++) {
                    double s = 0;
                    for (int p = 0; p < r; p++) {
                        s += (double) b[h * r + p] * a[p * vocab + v];
                    }
                    assertThat(tau.get(v, h)).isEqualTo((float) (2.0 * s));
                }
            }
        }
    }

    @Test
    void fanInFanOutGivesTheDeltaInConv1DOrientation() {
        Path d = dir(Fixtures.config("\"fan_in_fan_out\": true"), qPair());
        try (LoraAdapter adapter = LoraAdapter.load(d)) {
            LoraModule m = adapter.module(Q).orElseThrow();
            assertThat(m.fanInFanOut()).isTrue();
            TaskVector tau = m.taskVector();
            assertThat(tau.rows()).isEqualTo(4);
            assertThat(tau.cols()).isEqualTo(3);
            FloatMatrix plain = TaskVector.of(m.scaling(), m.b(), m.a()).dense();
            assertThat(tau.dense()).isEqualTo(plain.transpose());
        }
    }

    // ---- refusals ------------------------------------------------------------------------------------------

    @Test
    void missingPiecesAreReported() throws Exception {
        assertThatThrownBy(() -> LoraAdapter.load(tmp.resolve("none"))).isInstanceOf(InvalidInputException.class)
                .hasMessageEndingWith("none: no such adapter directory");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> LoraAdapter.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a directory");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> LoraAdapter.load(empty)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no adapter_config.json");
        Files.writeString(empty.resolve(LoraAdapter.CONFIG_FILE), Fixtures.config(""));
        assertThatThrownBy(() -> LoraAdapter.load(empty)).isInstanceOf(InvalidInputException.class)
                .isNotInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("no adapter_model.safetensors");
        Files.write(empty.resolve("adapter_model.bin"), new byte[] {(byte) 0x80, 2});
        assertThatThrownBy(() -> LoraAdapter.load(empty)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("only adapter_model.bin").hasMessageContaining("never unpickles");
    }

    @Test
    void unsupportedConfigsAreRefused() {
        assertRefused(dir(Fixtures.config("\"use_dora\": true"), qPair()), UnsupportedFeatureException.class,
                "DoRA adapters are not supported");
        assertRefused(dir(Fixtures.config("\"bias\": \"all\""), qPair()), UnsupportedFeatureException.class,
                "bias is \"all\"");
        assertRefused(dir(Fixtures.config("\"peft_type\": \"LOHA\"").replace("\"peft_type\": \"LORA\", ", ""),
                qPair()), UnsupportedFeatureException.class, "peft_type is \"LOHA\"");
    }

    @Test
    void unexpectedTensorsAreRefused() {
        List<TensorData> dora = qPair();
        dora.add(TensorData.ofFloats("base_model.model." + Q + ".lora_magnitude_vector", DType.F32, new long[] {3},
                values(3, 3)));
        assertRefused(dir(Fixtures.config(""), dora), UnsupportedFeatureException.class, "DoRA magnitude vector");

        List<TensorData> bias = qPair();
        bias.add(TensorData.ofFloats("base_model.model." + Q + ".bias", DType.F32, new long[] {3}, values(3, 3)));
        assertRefused(dir(Fixtures.config(""), bias), UnsupportedFeatureException.class, "is a trained bias");

        List<TensorData> loraBias = qPair();
        loraBias.add(TensorData.ofFloats("base_model.model." + Q + ".lora_B.bias", DType.F32, new long[] {3},
                values(3, 3)));
        assertRefused(dir(Fixtures.config(""), loraBias), UnsupportedFeatureException.class, "LoRA bias");

        List<TensorData> named = qPair();
        named.add(TensorData.ofFloats("base_model.model.model.layers.0.self_attn.k_proj.lora_A.default.weight",
                DType.F32, new long[] {2, 4}, values(8, 3)));
        assertRefused(dir(Fixtures.config(""), named), InvalidInputException.class,
                "unexpected tensor 'base_model.model.model.layers.0.self_attn.k_proj.lora_A.default.weight'");

        List<TensorData> foreign = qPair();
        foreign.add(TensorData.ofFloats("unet.down.lora.up.weight", DType.F32, new long[] {2, 2}, values(4, 3)));
        assertRefused(dir(Fixtures.config(""), foreign), InvalidInputException.class, "unexpected tensor");
    }

    @Test
    void inconsistentFactorsAreRefused() {
        List<TensorData> onlyA = qPair().subList(0, 1);
        assertRefused(dir(Fixtures.config(""), onlyA), InvalidInputException.class,
                "has '" + QA + "' but no '" + QB + "'");
        List<TensorData> onlyB = qPair().subList(1, 2);
        assertRefused(dir(Fixtures.config(""), onlyB), InvalidInputException.class,
                "has '" + QB + "' but no '" + QA + "'");

        assertRefused(dir(Fixtures.config("").replace("\"r\": 2", "\"r\": 4"), qPair()), InvalidInputException.class,
                "has rank 2 but adapter_config.json gives it rank 4 (r)");
        assertRefused(dir(Fixtures.config("\"rank_pattern\": {\"q_proj\": 3}"), qPair()), InvalidInputException.class,
                "gives it rank 3 (rank_pattern['q_proj'])");

        List<TensorData> ranks = List.of(TensorData.ofFloats(QA, DType.F32, new long[] {2, 4}, values(8, 1)),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 3}, values(9, 2)));
        assertRefused(dir(Fixtures.config(""), ranks), InvalidInputException.class, "whose ranks (2 vs 3) differ");

        List<TensorData> ints = List.of(TensorData.ofBytes(QA, DType.I32, new long[] {2, 4}, new byte[32]),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 2}, values(6, 2)));
        assertRefused(dir(Fixtures.config(""), ints), InvalidInputException.class,
                "has dtype I32; LoRA factors must be F32, F16 or BF16");

        List<TensorData> mixed = List.of(TensorData.ofFloats(QA, DType.BF16, new long[] {2, 4}, values(8, 1)),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 2}, values(6, 2)));
        assertRefused(dir(Fixtures.config(""), mixed), InvalidInputException.class, "stores A as BF16 but B as F32");

        List<TensorData> conv = List.of(TensorData.ofFloats(QA, DType.F32, new long[] {2, 4, 1, 1}, values(8, 1)),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 2, 1, 1}, values(6, 2)));
        assertRefused(dir(Fixtures.config(""), conv), UnsupportedFeatureException.class, "convolution LoRA");

        List<TensorData> both = qPair();
        both.add(TensorData.ofFloats("base_model.model." + Q + ".lora_embedding_A", DType.F32, new long[] {2, 4},
                values(8, 1)));
        assertRefused(dir(Fixtures.config(""), both), InvalidInputException.class, "both linear");
    }

    private static void assertRefused(Path dir, Class<? extends InvalidInputException> type, String fragment) {
        assertThatThrownBy(() -> LoraAdapter.load(dir).close())
                .isInstanceOf(type)
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    // ---- modules_to_save -----------------------------------------------------------------------------------

    @Test
    void modulesToSaveTensorsAreCarriedAndGuarded() throws Exception {
        List<TensorData> t = qPair();
        t.add(TensorData.ofFloats("base_model.model.lm_head.weight", DType.BF16, new long[] {6, 4}, values(24, 9)));
        t.add(TensorData.ofFloats("base_model.model.score.dense.weight", DType.F32, new long[] {2, 2}, values(4, 9)));
        Path d = dir(Fixtures.config("\"modules_to_save\": [\"score\"]"), t);
        Path out = tmp.resolve("carried-out");
        try (LoraAdapter a = LoraAdapter.load(d)) {
            assertThat(a.carriedTensors()).containsExactlyInAnyOrder("base_model.model.lm_head.weight",
                    "base_model.model.score.dense.weight");
            assertThat(a.hasModulesToSave()).isTrue();
            assertThat(a.moduleNames()).containsExactly(Q);
            assertThatThrownBy(() -> a.requireNoModulesToSave("merge"))
                    .isInstanceOf(UnsupportedFeatureException.class)
                    .hasMessageContaining("merge cannot carry over");
            a.save(out);
        }
        assertSameTensorBytes(d.resolve(LoraAdapter.WEIGHTS_FILE), out.resolve(LoraAdapter.WEIGHTS_FILE));

        // the config alone is enough to make commands that drop whole modules refuse
        try (LoraAdapter a = LoraAdapter.load(dir(Fixtures.config("\"modules_to_save\": [\"classifier\"]"), qPair()))) {
            assertThat(a.carriedTensors()).isEmpty();
            assertThatThrownBy(() -> a.requireNoModulesToSave("merge")).hasMessageContaining("[classifier]");
        }
        try (LoraAdapter a = LoraAdapter.load(dir(Fixtures.config(""), qPair()))) {
            a.requireNoModulesToSave("merge");
        }
    }

    // ---- finiteness, untargeted modules, lifecycle ---------------------------------------------------------

    @Test
    void checkFiniteNamesTheFirstBadElement() {
        float[] b = values(6, 2);
        b[5] = Float.NaN;
        Path d = dir(Fixtures.config(""), List.of(TensorData.ofFloats(QA, DType.F32, new long[] {2, 4}, values(8, 1)),
                TensorData.ofFloats(QB, DType.F32, new long[] {3, 2}, b)));
        try (LoraAdapter a = LoraAdapter.load(d)) {
            assertThatThrownBy(a::checkFinite).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'" + QB + "' holds NaN at [2, 1]");
        }
    }

    @Test
    void modulesTheConfigDoesNotTargetAreFlagged() {
        List<TensorData> t = qPair();
        String k = "base_model.model.model.layers.3.self_attn.k_proj";
        t.add(TensorData.ofFloats(k + ".lora_A.weight", DType.F32, new long[] {2, 4}, values(8, 4)));
        t.add(TensorData.ofFloats(k + ".lora_B.weight", DType.F32, new long[] {3, 2}, values(6, 5)));
        try (LoraAdapter a = LoraAdapter.load(dir(Fixtures.config(""), t))) {
            assertThat(a.untargetedModules()).containsExactly("model.layers.3.self_attn.k_proj");
            assertThat(a.layers()).containsExactly(0, 3);
            assertThat(a.parameterCount()).isEqualTo(2 * (2L * (4 + 3)));
        }
    }

    @Test
    void readingAfterCloseFailsCleanly() {
        LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r6_qv"));
        LoraModule m = a.modules().getFirst();
        a.close();
        assertThatThrownBy(m::a).isInstanceOf(ConcordException.class).hasMessageContaining("closed");
    }

    @Test
    void factorsAreNotHeldOnTheHeap() {
        try (LoraAdapter a = LoraAdapter.load(Fixtures.adapter("r8_f32"))) {
            LoraModule m = a.modules().getFirst();
            // each read is a fresh copy from the map: the adapter keeps no factor arrays of its own
            assertThat(m.a()).isEqualTo(m.a()).isNotSameAs(m.a());
            assertThat(m.a().data()).isNotSameAs(m.a().data());
        }
    }
}
