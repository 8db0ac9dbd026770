package dev.concord.tensor.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightIndexTest {
    @TempDir
    Path dir;

    private Path index(String json) throws IOException {
        return Files.writeString(dir.resolve(WeightIndex.FILE_NAME), json);
    }

    @Test
    void readsWeightMapAndMetadata() throws IOException {
        WeightIndex idx = WeightIndex.read(index("""
                {"metadata": {"total_size": 40, "format": "pt", "nested": {"x": [1, 2]}},
                 "weight_map": {"b": "model-00002-of-00002.safetensors", "a": "model-00001-of-00002.safetensors",
                                "c": "model-00002-of-00002.safetensors"},
                 "extra": [1, {"ignored": true}]}
                """));
        assertThat(idx.weightMap()).containsExactly(Map.entry("b", "model-00002-of-00002.safetensors"),
                Map.entry("a", "model-00001-of-00002.safetensors"), Map.entry("c", "model-00002-of-00002.safetensors"));
        assertThat(idx.shards()).containsExactly("model-00002-of-00002.safetensors", "model-00001-of-00002.safetensors");
        assertThat(idx.metadata()).containsEntry("total_size", 40).containsEntry("format", "pt")
                .containsEntry("nested", Map.of("x", List.of(1, 2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.safetensors", "/etc/model.safetensors", "sub/model.safetensors",
            "sub\\\\model.safetensors", "..", ".", "", "C:model.safetensors"})
    void shardsOutsideTheDirectoryAreRefused(String shard) throws IOException {
        Path file = index("{\"weight_map\": {\"a\": \"" + shard + "\"}}");
        assertThatThrownBy(() -> WeightIndex.read(file))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("must be a file name inside the checkpoint directory");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "{\"weight_map\": {}}",
        "{\"metadata\": {}}",
        "{\"weight_map\": []}",
        "{\"weight_map\": {\"a\": 3}}",
        "{\"weight_map\": {\"a\": \"model.bin\"}}",
        "{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}",
        "{\"weight_map\": {\"a\": \"x.safetensors\"}} {}",
        "{\"weight_map\": {\"a\": \"x.safetensors\"}",
        "{\"weight_map\": {\"a\": \"x.safetensors\"}} trailing",
        "\u0000"})
    void malformedIndexesAreRefusedWithInvalidInput(String json) throws IOException {
        Path file = index(json);
        assertThatThrownBy(() -> WeightIndex.read(file))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingHugeAndNonRegularIndexesAreRefused() throws IOException {
        assertThatThrownBy(() -> WeightIndex.read(dir.resolve("absent.json")))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("no such file");
        assertThatThrownBy(() -> WeightIndex.read(dir))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("not a regular file");
        Path huge = dir.resolve("huge.json");
        try (RandomAccessFile raf = new RandomAccessFile(huge.toFile(), "rw")) {
            raf.setLength(WeightIndex.MAX_INDEX_BYTES + 1); // sparse: costs no disk
        }
        assertThatThrownBy(() -> WeightIndex.read(huge))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("too large");
    }

    /** Expected text produced by Python: json.dumps(index, indent=2, sort_keys=True) + "\n". */
    @Test
    void toJsonMatchesHuggingFaceByteForByte() {
        Map<String, String> weights = new LinkedHashMap<>();
        weights.put("b.weight", "model-00002-of-00002.safetensors");
        weights.put("a.weight", "model-00001-of-00002.safetensors");
        weights.put("\u00e9", "model-00001-of-00002.safetensors");
        weights.put("\uD83D\uDE00x", "model-00002-of-00002.safetensors");
        weights.put("\uFF21", "model-00001-of-00002.safetensors");
        weights.put("q\"\\\n\u007f", "model-00001-of-00002.safetensors");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("total_size", 40L);
        meta.put("total_parameters", 10L);
        String expected = "{\n  \"metadata\": {\n    \"total_parameters\": 10,\n    \"total_size\": 40\n  },\n"
                + "  \"weight_map\": {\n"
                + "    \"a.weight\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"b.weight\": \"model-00002-of-00002.safetensors\",\n"
                + "    \"q\\\"\\\\\\n\\u007f\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"\\u00e9\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"\\uff21\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"\\ud83d\\ude00x\": \"model-00002-of-00002.safetensors\"\n"
                + "  }\n}\n";
        assertThat(new WeightIndex(weights, meta).toJson()).isEqualTo(expected);
    }

    @Test
    void pythonStyleJsonRendersEveryKindOfValueLikePython() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("weight_map", Map.of("a", "x.safetensors"));
        value.put("metadata", Map.of());
        value.put("l", List.of(1, List.of(), Map.of()));
        value.put("f", 1.0);
        value.put("n", null);
        value.put("t", true);
        assertThat(PythonStyleJson.write(value)).isEqualTo("""
                {
                  "f": 1.0,
                  "l": [
                    1,
                    [],
                    {}
                  ],
                  "metadata": {},
                  "n": null,
                  "t": true,
                  "weight_map": {
                    "a": "x.safetensors"
                  }
                }""");
    }

    @Test
    void whatToJsonWritesReadsBackTheSame() throws IOException {
        Map<String, String> weights = Map.of("x.y", "model-00001-of-00002.safetensors", "é", "model-00002-of-00002.safetensors");
        WeightIndex written = new WeightIndex(weights, Map.of("total_size", 12));
        WeightIndex read = WeightIndex.read(index(written.toJson()));
        assertThat(read.weightMap()).isEqualTo(weights);
        assertThat(read.metadata()).isEqualTo(Map.of("total_size", 12));
    }
}
