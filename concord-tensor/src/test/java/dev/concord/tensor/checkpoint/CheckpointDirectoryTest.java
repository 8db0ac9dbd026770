package dev.concord.tensor.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories are built by hand here (SafetensorsWriter plus a literal index), independent of the sharded writer. */
class CheckpointDirectoryTest {
    @TempDir
    Path root;

    private Path ckpt() throws IOException {
        return Files.createDirectories(root.resolve("ckpt"));
    }

    private static void shard(Path file, String... tensorNames) {
        List<TensorData> tensors = new java.util.ArrayList<>();
        for (int i = 0; i < tensorNames.length; i++) {
            tensors.add(TensorData.ofFloats(tensorNames[i], DType.F32, new long[] {2}, new float[] {i, -i}));
        }
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    }

    private static void index(Path dir, String weightMapJson) throws IOException {
        Files.writeString(dir.resolve(WeightIndex.FILE_NAME),
                "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {" + weightMapJson + "}}");
    }

    @Test
    void opensASingleModelFile() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("model.safetensors"), "a", "b");
        try (CheckpointDirectory c = CheckpointDirectory.open(dir)) {
            assertThat(c.names()).containsExactly("a", "b");
            assertThat(c.index()).isEmpty();
            assertThat(c.shards()).hasSize(1);
            assertThat(c.file("b").readFloats("b")).containsExactly(1f, -1f);
            assertThat(c.entry("a").shape()).containsExactly(2);
            assertThatThrownBy(() -> c.file("zzz")).isExactlyInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("no tensor 'zzz'");
        }
    }

    @Test
    void opensTheOnlySafetensorsFileWhateverItsName() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("consolidated.safetensors"), "w");
        try (CheckpointDirectory c = CheckpointDirectory.open(dir)) {
            assertThat(c.names()).containsExactly("w");
        }
    }

    @Test
    void opensShardsThroughTheIndex() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("model-00001-of-00002.safetensors"), "a", "b");
        shard(dir.resolve("model-00002-of-00002.safetensors"), "c");
        index(dir, """
                "a": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors",
                "b": "model-00001-of-00002.safetensors"
                """);
        try (CheckpointDirectory c = CheckpointDirectory.open(dir)) {
            assertThat(c.names()).containsExactly("a", "c", "b");
            assertThat(c.shards()).hasSize(2);
            assertThat(c.file("c").path().getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
            assertThat(c.file("c").readFloats("c")).containsExactly(0f, 0f);
            assertThat(c.file("b").readFloats("b")).containsExactly(1f, -1f);
            assertThat(c.index()).isPresent();
        }
    }

    @Test
    void anIndexPointingOutsideTheDirectoryIsRefused() throws IOException {
        Path dir = ckpt();
        shard(root.resolve("outside.safetensors"), "a"); // a valid file exists there: only the path stops it
        index(dir, "\"a\": \"../outside.safetensors\"");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining(WeightIndex.FILE_NAME)
                .hasMessageContaining("inside the checkpoint directory");
        index(dir, "\"a\": \"" + root.resolve("outside.safetensors") + "\"");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir)).isExactlyInstanceOf(InvalidInputException.class);
    }

    @Test
    void aMissingShardIsReported() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("model-00001-of-00002.safetensors"), "a");
        index(dir, "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'model-00002-of-00002.safetensors' is missing");
    }

    @Test
    void aTensorListedInTheIndexButAbsentFromItsShardIsReported() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("model-00001-of-00001.safetensors"), "a");
        index(dir, "\"a\": \"model-00001-of-00001.safetensors\", \"ghost\": \"model-00001-of-00001.safetensors\"");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model-00001-of-00001.safetensors")
                .hasMessageContaining("'ghost'");
    }

    @Test
    void aCorruptShardIsReportedByItsPath() throws IOException {
        Path dir = ckpt();
        Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(dir.resolve("model.safetensors").toString());
    }

    @Test
    void pickleOnlyCheckpointsAreRefusedWithoutBeingRead() throws Exception {
        Path dir = ckpt();
        Path bin = dir.resolve("pytorch_model.bin");
        // A FIFO blocks whoever opens it for reading: if the directory reader touched the file, this would hang.
        boolean fifo = new ProcessBuilder("mkfifo", bin.toString()).start().waitFor() == 0;
        if (!fifo) {
            Files.write(bin, new byte[] {(byte) 0x80, 2, 'c', 'o', 's', '\n'});
        }
        Files.writeString(dir.resolve("config.json"), "{}");
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                        .isInstanceOf(UnsupportedFeatureException.class)
                        .hasMessageContaining("pytorch_model.bin")
                        .hasMessageContaining("never unpickles"));
    }

    @Test
    void shardedPickleCheckpointsAreRefusedToo() throws IOException {
        Path dir = ckpt();
        Files.writeString(dir.resolve("pytorch_model.bin.index.json"), "{}");
        Files.write(dir.resolve("pytorch_model-00001-of-00002.bin"), new byte[8]);
        assertThatThrownBy(() -> CheckpointDirectory.open(dir)).isInstanceOf(UnsupportedFeatureException.class);
    }

    @Test
    void directoriesWithoutUsableWeightsAreRefusedClearly() throws IOException {
        Path dir = ckpt();
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("no model.safetensors");
        shard(dir.resolve("x.safetensors"), "a");
        shard(dir.resolve("y.safetensors"), "b");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("x.safetensors, y.safetensors")
                .hasMessageContaining("no " + WeightIndex.FILE_NAME);
        assertThatThrownBy(() -> CheckpointDirectory.open(root.resolve("absent")))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("no such directory");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir.resolve("x.safetensors")))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("not a directory");
    }

    @Test
    void aDamagedShardIsNamedAndTheDirectoryOpensOnceItIsRepaired() throws IOException {
        Path dir = ckpt();
        shard(dir.resolve("model-00001-of-00002.safetensors"), "a");
        Files.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[4]);
        index(dir, "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> CheckpointDirectory.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors");
        shard(dir.resolve("model-00002-of-00002.safetensors"), "b");
        try (CheckpointDirectory c = CheckpointDirectory.open(dir)) {
            assertThat(c.names()).containsExactly("a", "b");
        }
    }
}
