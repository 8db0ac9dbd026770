package dev.concord.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.progress.Progress;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the fixtures computed by PEFT's own merge_utils (linear = task_arithmetic, ties, magnitude_prune
 * on task vectors; see src/test/resources/peft-merge/README.md), reproduced through the whole pipeline (adapter
 * loading, scaling with rslora / patterns / BF16, absent modules, merge, delta writer) within the tolerance the
 * fixtures' author used: max|diff| <= 1e-5 + 1e-4 * max|expected| per tensor.
 */
class PeftReferenceTest {
    @TempDir
    Path tmp;

    static Stream<JsonNode> cases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.peft("cases.jsonl"))) {
            if (!line.isBlank()) {
                out.add(json.readTree(line));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reproducesPeft(JsonNode c) {
        List<AdapterInput> adapters = new ArrayList<>();
        for (int i = 0; i < c.get("adapters").size(); i++) {
            Path p = Fixtures.peft("adapters/" + c.get("adapters").get(i).asText());
            adapters.add(AdapterInput.parse(p + ":" + c.get("weights").get(i).asDouble()));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        if (!c.get("density").isNull()) {
            params.put("density", c.get("density").asDouble());
        }
        if (!c.get("majority_sign").isNull()) {
            params.put("majority_sign", c.get("majority_sign").asText());
        }
        Path out = tmp.resolve(c.get("id").asText());
        MergeRequest req = new MergeRequest(MethodRegistry.get(c.get("method").asText()), adapters,
                new FixedParameters(params, adapters), 0, null, OutputFormat.DELTA, null, out, false, 2, null);
        MergeRunner.run(req, Progress.none());

        try (SafetensorsFile got = SafetensorsFile.open(out.resolve(DeltaOutput.FILE_NAME));
                SafetensorsFile want = SafetensorsFile.open(Fixtures.peft(c.get("expected").asText()))) {
            assertThat(got.names()).containsExactlyInAnyOrderElementsOf(want.names());
            for (String name : want.names()) {
                float[] e = want.readFloats(name);
                float[] g = got.readFloats(name);
                assertThat(got.entry(name).shape()).isEqualTo(want.entry(name).shape());
                double maxExpected = 0;
                double maxDiff = 0;
                for (int i = 0; i < e.length; i++) {
                    maxExpected = Math.max(maxExpected, Math.abs(e[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(e[i] - g[i]));
                }
                assertThat(maxDiff).as("%s %s", c.get("id").asText(), name).isLessThanOrEqualTo(1e-5 + 1e-4 * maxExpected);
            }
        }
    }
}
