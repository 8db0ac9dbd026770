package dev.concord.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraModule;
import dev.concord.progress.Progress;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TIES and linear retention against merges computed by PEFT's own merge_utils (fixtures in
 * src/test/resources/peft-merge): retention_i = <merged, tau_i> / ‖tau_i‖², with the merged task vectors PEFT
 * produced for the same adapters, weights and density.
 */
class PeftTiesRetentionTest {
    static Path resource(String name) {
        try {
            return Path.of(PeftTiesRetentionTest.class.getResource("/peft-merge/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ties_d0.2_total_2", "ties_d0.5_total_3", "ties_d0.2_total_4_negw", "linear_4"})
    void retentionMatchesPeftMerges(String id) throws Exception {
        JsonNode c = null;
        for (String line : Files.readAllLines(resource("cases.jsonl"))) {
            JsonNode j = new ObjectMapper().readTree(line);
            if (j.get("id").asText().equals(id)) {
                c = j;
            }
        }
        assertThat(c).as(id).isNotNull();
        List<LoraAdapter> adapters = new ArrayList<>();
        List<NamedAdapter> named = new ArrayList<>();
        double[] weights = new double[c.get("adapters").size()];
        for (int i = 0; i < weights.length; i++) {
            String name = c.get("adapters").get(i).asText();
            LoraAdapter a = LoraAdapter.load(resource("adapters/" + name));
            adapters.add(a);
            named.add(new NamedAdapter(name, a));
            weights[i] = c.get("weights").get(i).asDouble();
        }
        double density = c.get("density").isNull() ? 0.2 : c.get("density").asDouble();
        try (SafetensorsFile expected = SafetensorsFile.open(resource(c.get("expected").asText()))) {
            AnalysisReport r = ConflictAnalyzer.analyze(named,
                    AnalysisOptions.defaults().withDensity(density).withWeights(weights), Progress.none());
            String method = c.get("method").asText();
            for (int i = 0; i < weights.length; i++) {
                double dot = 0;
                double energy = 0;
                for (LoraModule m : adapters.get(i).modules()) {
                    double[] tau = DenseReference.dense(m.taskVector());
                    float[] merged = expected.readFloats(m.name() + ".weight");
                    for (int j = 0; j < tau.length; j++) {
                        dot += merged[j] * tau[j];
                        energy += tau[j] * tau[j];
                    }
                }
                double peft = dot / energy;
                double ours = r.composition().retention().get(method).get(named.get(i).name());
                assertThat(ours).as(id + " adapter " + i).isCloseTo(peft, within(2e-4 * Math.max(1, Math.abs(peft))));
            }
        } finally {
            adapters.forEach(LoraAdapter::close);
        }
    }
}
