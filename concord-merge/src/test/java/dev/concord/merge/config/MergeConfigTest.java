package dev.concord.merge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.OutputFormat;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** merge.yaml in mergekit's format: structure, evaluation of filters and gradients, mergekit's defaults. */
class MergeConfigTest {
    @TempDir
    Path tmp;

    static Path adapter(String name) {
        try {
            return Path.of(MergeConfigTest.class.getResource("/peft-merge/adapters/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path yaml(String text) throws IOException {
        Path f = tmp.resolve("merge.yaml");
        Files.writeString(f, text.replace("$A", adapter("r8_f32").toString()).replace("$B", adapter("r8_bf16").toString()));
        return f;
    }

    @Test
    void readsMethodModelsAndEvaluatesFiltersAndGradientsLikeMergekit() throws IOException {
        MergeConfig c = MergeConfig.read(yaml("""
                merge_method: ties
                base_model: /models/base
                models:
                  - model: $A
                    parameters:
                      weight: [0.0, 1.0]
                      density:
                        - filter: self_attn
                          value: 0.3
                        - value: 0.7
                  - model: $B
                    parameters:
                      weight: 0.5
                parameters:
                  density: 0.9
                  normalize: false
                """));
        assertThat(c.method()).isEqualTo("ties");
        assertThat(c.baseModel()).isEqualTo(Path.of("/models/base"));
        assertThat(c.adapters()).hasSize(2);
        // gradient: t = layer / (layers − 1) interpolates the list
        assertThat((Double) c.value("weight", 0, "model.layers.0.mlp.up_proj", 0.0).orElseThrow()).isEqualTo(0.0);
        assertThat((Double) c.value("weight", 0, "model.layers.1.mlp.up_proj", 0.25).orElseThrow()).isCloseTo(0.25, within(1e-12));
        // filters match a substring of the tensor name; the first matching condition wins
        assertThat(c.value("density", 0, "model.layers.0.self_attn.q_proj", 0)).contains(0.3);
        assertThat(c.value("density", 0, "model.layers.0.mlp.up_proj", 0)).contains(0.7);
        // a model without its own value falls back to the global parameters
        assertThat(c.value("density", 1, "model.layers.0.mlp.up_proj", 0)).contains(0.9);
        // mergekit's dialect: weighted election, and normalize false means no division
        ModuleParameters p = ModuleParameters.resolve(MethodRegistry.get("ties"), c, "model.layers.0.mlp.up_proj", 0, 2);
        assertThat(p.choice("sign_election")).isEqualTo("weighted");
        assertThat(p.choice("disjoint")).isEqualTo("sum");
    }

    @Test
    void mergekitDefaultsDensityOneAndNormalizedLinear() throws IOException {
        MergeConfig c = MergeConfig.read(yaml("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 3.0}
                  - model: $B
                    parameters: {weight: 1.0}
                """));
        ModuleParameters lin = ModuleParameters.resolve(MethodRegistry.get("linear"), c, "m", 0, 2);
        assertThat(lin.choice("normalize")).isEqualTo("true");
        ModuleParameters ties = ModuleParameters.resolve(MethodRegistry.get("ties"), c, "m", 0, 2);
        assertThat(ties.number("density", 0)).isEqualTo(1.0);
        assertThat(ties.choice("disjoint")).isEqualTo("weight");
        ModuleParameters dare = ModuleParameters.resolve(MethodRegistry.get("dare_ties"), c, "m", 0, 2);
        assertThat(dare.choice("dare_rescale")).isEqualTo("l1");
        assertThat(dare.choice("disjoint")).isEqualTo("sum");
        ModuleParameters della = ModuleParameters.resolve(MethodRegistry.get("della"), c, "m", 0, 2);
        assertThat(della.number("epsilon", 0)).isEqualTo(0.15);
    }

    @Test
    void normalizedLinearFromYamlIsTheWeightedMean() throws IOException {
        Path cfg = yaml("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 3.0}
                  - model: $B
                    parameters: {weight: 1.0}
                """);
        MergeConfig c = MergeConfig.read(cfg);
        Path yamlOut = tmp.resolve("yaml");
        Path cliOut = tmp.resolve("cli");
        MergeRunner.run(new MergeRequest(MethodRegistry.get("linear"), c.adapters(), c, 0, null, OutputFormat.DELTA,
                null, yamlOut, false, 1, cfg), Progress.none());
        var cli = java.util.List.of(dev.concord.merge.AdapterInput.parse(adapter("r8_f32") + ":0.75"),
                dev.concord.merge.AdapterInput.parse(adapter("r8_bf16") + ":0.25"));
        MergeRunner.run(new MergeRequest(MethodRegistry.get("linear"), cli, new FixedParameters(Map.of(), cli), 0, null,
                OutputFormat.DELTA, null, cliOut, false, 1, null), Progress.none());
        try (SafetensorsFile a = SafetensorsFile.open(yamlOut.resolve(DeltaOutput.FILE_NAME));
                SafetensorsFile b = SafetensorsFile.open(cliOut.resolve(DeltaOutput.FILE_NAME))) {
            for (String n : a.names()) {
                float[] x = a.readFloats(n);
                float[] y = b.readFloats(n);
                for (int i = 0; i < x.length; i++) {
                    assertThat(x[i]).isCloseTo(y[i], within(1e-6f));
                }
            }
        }
        assertThat(Files.readString(yamlOut.resolve("merge_report.json"))).contains("config_file");
    }

    @Test
    void refusesWhatMergekitWouldRefuseOrConcordCannotDo() throws IOException {
        assertThatThrownBy(() -> MergeConfig.read(yaml("models: [{model: $A}]\n")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("merge_method");
        assertThatThrownBy(() -> MergeConfig.read(yaml("merge_method: ties\nslices: []\nmodels: [{model: $A}]\n")))
                .isInstanceOf(UnsupportedFeatureException.class);
        assertThatThrownBy(() -> MergeConfig.read(yaml("merge_method: ties\nmodels: [{model: $A}]\nfoo: 1\n")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown key 'foo'");
        MergeConfig noWeight = MergeConfig.read(yaml("merge_method: ties\nmodels: [{model: $A}]\n"));
        assertThatThrownBy(() -> noWeight.value("weight", 0, "m", 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("weight is required");
        assertThatThrownBy(() -> MergeConfig.read(yaml("merge_method: ties\nmodels: [{model: $A}]\nparameters: {density: [{filter: a}]}\n")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("value");
        assertThatThrownBy(() -> MergeConfig.read(yaml("merge_method: [\n")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not valid YAML");
    }
}
