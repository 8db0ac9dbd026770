package dev.concord.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticAdaptersTest {
    @TempDir
    Path tmp;

    @Test
    void writesALoadablePeftAdapterWithLlamaShapes() {
        SyntheticAdapterSpec spec = SyntheticAdapterSpec.tinyLlama(42).withRank(4, 8).withDtype(DType.BF16);
        Path dir = SyntheticAdapters.write(tmp.resolve("tiny"), spec);
        try (LoraAdapter a = LoraAdapter.load(dir)) {
            assertThat(a.modules()).hasSize(2 * 7);
            assertThat(a.untargetedModules()).isEmpty();
            assertThat(a.config().baseModelNameOrPath()).contains("synthetic-llama");
            LoraModule k = a.module("model.layers.1.self_attn.k_proj").orElseThrow();
            assertThat(k.inFeatures()).isEqualTo(64);
            assertThat(k.outFeatures()).isEqualTo(32); // 2 kv heads x head dim 16
            assertThat(k.rank()).isEqualTo(4);
            assertThat(k.scaling()).isEqualTo(2.0);
            assertThat(k.dtype()).isEqualTo(DType.BF16);
            LoraModule down = a.module("model.layers.0.mlp.down_proj").orElseThrow();
            assertThat(down.inFeatures()).isEqualTo(160);
            assertThat(down.outFeatures()).isEqualTo(64);
            a.checkFinite();
            assertThat(k.taskVector().frobeniusNorm()).isGreaterThan(0);
        }
    }

    @Test
    void embeddingAndOutputLayerTargets() {
        SyntheticAdapterSpec spec = SyntheticAdapterSpec.tinyLlama(1)
                .withTargets(List.of("embed_tokens", "q_proj", "lm_head"));
        try (LoraAdapter a = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("emb"), spec))) {
            assertThat(a.moduleNames()).containsExactly("lm_head", "model.embed_tokens",
                    "model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj");
            LoraModule emb = a.module("model.embed_tokens").orElseThrow();
            assertThat(emb.kind()).isEqualTo(ModuleKind.EMBEDDING);
            assertThat(emb.taskVector().rows()).isEqualTo(256);
            assertThat(emb.taskVector().cols()).isEqualTo(64);
            assertThat(a.module("lm_head").orElseThrow().taskVector().rows()).isEqualTo(256);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherValues() throws Exception {
        SyntheticAdapterSpec spec = SyntheticAdapterSpec.tinyLlama(7);
        SyntheticAdapters.write(tmp.resolve("a"), spec);
        SyntheticAdapters.write(tmp.resolve("b"), spec);
        SyntheticAdapters.write(tmp.resolve("c"), spec.withSeed(8));
        byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(LoraAdapter.WEIGHTS_FILE));
        assertThat(Files.readAllBytes(tmp.resolve("b").resolve(LoraAdapter.WEIGHTS_FILE))).isEqualTo(a);
        assertThat(Files.readAllBytes(tmp.resolve("c").resolve(LoraAdapter.WEIGHTS_FILE))).isNotEqualTo(a);
    }

    @Test
    void aModulesValuesDoNotDependOnWhichOtherModulesAreGenerated() {
        SyntheticAdapterSpec all = SyntheticAdapterSpec.tinyLlama(3);
        SyntheticAdapterSpec onlyV = all.withTargets(List.of("v_proj"));
        try (LoraAdapter x = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("all"), all));
                LoraAdapter y = LoraAdapter.load(SyntheticAdapters.write(tmp.resolve("v"), onlyV))) {
            String v = "model.layers.1.self_attn.v_proj";
            assertThat(y.module(v).orElseThrow().a()).isEqualTo(x.module(v).orElseThrow().a());
            assertThat(y.module(v).orElseThrow().b()).isEqualTo(x.module(v).orElseThrow().b());
        }
    }

    @Test
    void invalidSpecsAreRejected() {
        SyntheticAdapterSpec ok = SyntheticAdapterSpec.tinyLlama(0);
        assertThatThrownBy(() -> ok.withTargets(List.of("wq"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown target 'wq'");
        assertThatThrownBy(() -> new SyntheticAdapterSpec(64, 160, 2, 5, 1, 0, 8, 16, false, List.of("q_proj"),
                DType.F32, 0.02, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withDtype(DType.I8)).isInstanceOf(IllegalArgumentException.class);
    }
}
