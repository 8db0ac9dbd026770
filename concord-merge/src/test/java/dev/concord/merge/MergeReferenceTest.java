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
 * mergekit's variants and the methods PEFT lacks, against merges computed independently with numpy by
 * scripts/merge-reference/make_merge_fixtures.py (which documents each formula): TIES with weighted election and
 * the weight / sum divisors, whole-model trim, DARE with the L1 rescale, DAREx-q, Breadcrumbs per row and per
 * tensor (and with an outlier count that rounds to zero), DELLA with TIES and linear, task arithmetic with λ.
 */
class MergeReferenceTest {
    @TempDir
    Path tmp;

    static Stream<JsonNode> cases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.resource("merge-reference").resolve("cases.jsonl"))) {
            if (!line.isBlank()) {
                out.add(json.readTree(line));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheNumpyReference(JsonNode c) {
        List<AdapterInput> adapters = new ArrayList<>();
        for (JsonNode a : c.get("adapters")) {
            String[] parts = a.asText().split(":");
            adapters.add(AdapterInput.parse(Fixtures.peft("adapters/" + parts[0]) + ":" + parts[1]));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        c.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        Path out = tmp.resolve(c.get("id").asText());
        MergeRunner.run(new MergeRequest(MethodRegistry.get(c.get("method").asText()), adapters,
                new FixedParameters(params, adapters), c.get("seed").asLong(), null, OutputFormat.DELTA, null, out,
                false, 2, null), Progress.none());
        try (SafetensorsFile got = SafetensorsFile.open(out.resolve(DeltaOutput.FILE_NAME));
                SafetensorsFile want = SafetensorsFile.open(
                        Fixtures.resource("merge-reference").resolve(c.get("expected").asText()))) {
            assertThat(want.names()).isNotEmpty();
            for (String name : want.names()) {
                float[] e = want.readFloats(name);
                float[] g = got.readFloats(name);
                double maxExpected = 0;
                double maxDiff = 0;
                int nonzero = 0;
                for (int i = 0; i < e.length; i++) {
                    maxExpected = Math.max(maxExpected, Math.abs(e[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(e[i] - g[i]));
                    nonzero += e[i] != 0 ? 1 : 0;
                }
                assertThat(nonzero).as("%s %s is not trivially zero", c.get("id").asText(), name).isPositive();
                assertThat(maxDiff).as("%s %s", c.get("id").asText(), name).isLessThanOrEqualTo(1e-5 + 1e-4 * maxExpected);
            }
        }
    }
}
