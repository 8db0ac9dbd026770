package dev.concord.tensor.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.safetensors.SafetensorsFile;
import dev.concord.tensor.safetensors.TensorSpec;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import org.junit.jupiter.api.Test;

class ShardedCheckpointWriterTest {
    private Path parent;

    @BeforeTry
    @org.junit.jupiter.api.BeforeEach
    void createParent() throws IOException {
        parent = Files.createTempDirectory("st-ckpt");
    }

    @AfterTry
    @org.junit.jupiter.api.AfterEach
    void deleteParent() throws IOException {
        try (Stream<Path> all = Files.walk(parent)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private List<String> parentListing() throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Deterministic test values for element {@code i} of tensor {@code t}. */
    static float value(int t, long i) {
        return (float) (t * 1000 + i) / 8;
    }

    /** Streams each float tensor in blocks of {@code block} elements (a row block), raw tensors in one piece. */
    static void writeAll(ShardedCheckpointWriter w, List<TensorSpec> specs, int block) {
        for (int t = 0; t < specs.size(); t++) {
            TensorSpec s = specs.get(t);
            if (s.dtype().readableAsFloat()) {
                for (long start = 0; start < s.numel(); start += block) {
                    int n = (int) Math.min(block, s.numel() - start);
                    float[] rows = new float[n];
                    for (int i = 0; i < n; i++) {
                        rows[i] = value(t, start + i);
                    }
                    w.writeFloats(rows);
                }
            } else {
                byte[] raw = new byte[(int) s.byteSize()];
                Arrays.fill(raw, (byte) t);
                w.writeBytes(ByteBuffer.wrap(raw));
            }
        }
    }

    static float narrowed(DType d, float v) {
        return switch (d) {
            case BF16 -> FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(v));
            case F16 -> FloatCodec.f16ToFloat(FloatCodec.floatToF16(v));
            default -> v;
        };
    }

    /** Reads the directory back with CheckpointDirectory and compares every element with what was written. */
    static void assertReadsBack(Path dir, List<TensorSpec> specs) {
        try (CheckpointDirectory ckpt = CheckpointDirectory.open(dir)) {
            assertThat(ckpt.names()).containsExactlyInAnyOrderElementsOf(specs.stream().map(TensorSpec::name).toList());
            for (int t = 0; t < specs.size(); t++) {
                TensorSpec s = specs.get(t);
                assertThat(ckpt.entry(s.name()).dtype()).isEqualTo(s.dtype());
                assertThat(ckpt.entry(s.name()).shape()).isEqualTo(s.shape());
                SafetensorsFile f = ckpt.file(s.name());
                assertThat(f.metadata()).containsEntry("format", "pt");
                if (s.dtype().readableAsFloat()) {
                    float[] got = f.readFloats(s.name());
                    for (int i = 0; i < got.length; i++) {
                        assertThat(got[i]).isEqualTo(narrowed(s.dtype(), value(t, i)));
                    }
                } else {
                    byte[] expected = new byte[(int) s.byteSize()];
                    Arrays.fill(expected, (byte) t);
                    assertThat(f.segment(s.name()).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
                }
            }
        }
    }

    static final List<TensorSpec> MODEL = List.of(
            TensorSpec.matrix("model.embed_tokens.weight", DType.BF16, 16, 8),       // 256 bytes: over the limit
            TensorSpec.matrix("model.layers.0.self_attn.q_proj.weight", DType.F32, 4, 8), // 128
            new TensorSpec("model.layers.0.input_layernorm.weight", DType.F16, new long[] {8}), // 16
            new TensorSpec("model.layers.0.empty", DType.F32, new long[] {0, 8}),    // 0
            TensorSpec.matrix("model.layers.0.mlp.up_proj.weight", DType.F32, 8, 4),  // 128
            new TensorSpec("model.layers.0.ids", DType.I32, new long[] {3}),          // 12
            new TensorSpec("lm_head.scale", DType.F32, new long[] {}));               // 4

    @Test
    void shardsAStreamedModelAndCheckpointDirectoryReadsItBack() throws IOException {
        Path target = parent.resolve("merged");
        ShardedCheckpointWriter.Options options = ShardedCheckpointWriter.Options.defaults()
                .withMaxShardBytes(150).withMetadata(Map.of("producer", "concord"));
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL, options)) {
            assertThat(w.plan().shardCount()).isEqualTo(3); // [embed] alone, [q, norm, empty], [up, ids, scale]
            writeAll(w, MODEL, 8); // one row of 8 at a time
            w.commit();
        }
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                    "model-00003-of-00003.safetensors", WeightIndex.FILE_NAME);
        }
        ShardPlan plan = ShardPlan.of(MODEL, 150);
        assertThat(Files.readString(target.resolve(WeightIndex.FILE_NAME))).isEqualTo(plan.index().toJson());
        WeightIndex idx = WeightIndex.read(target.resolve(WeightIndex.FILE_NAME));
        assertThat(idx.metadata()).containsEntry("total_size", 544).containsEntry("total_parameters", 204);
        assertThat(List.copyOf(idx.weightMap().keySet())).isSorted();
        for (int i = 0; i < plan.shardCount(); i++) {
            try (SafetensorsFile f = SafetensorsFile.open(target.resolve(plan.fileName(i)))) {
                long bytes = f.tensors().stream().mapToLong(e -> e.byteSize()).sum();
                assertThat(bytes <= 150 || f.tensors().size() == 1).as(plan.fileName(i)).isTrue();
                assertThat(f.metadata()).containsEntry("producer", "concord");
            }
        }
        assertReadsBack(target, MODEL);
        assertThat(parentListing()).containsExactly("merged");
    }

    @Test
    void aModelThatFitsInOneShardIsASingleFileWithoutIndex() throws IOException {
        Path target = parent.resolve("small");
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL)) {
            writeAll(w, MODEL, 5);
            w.commit();
        }
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
        assertReadsBack(target, MODEL);
    }

    @Test
    void nothingAppearsBeforeCommitAndAbandoningLeavesNothing() throws IOException {
        Path target = parent.resolve("out");
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL,
                ShardedCheckpointWriter.Options.defaults().withMaxShardBytes(150))) {
            writeAll(w, MODEL.subList(0, 3), 8);
            assertThat(Files.exists(target)).isFalse();
            assertThat(parentListing()).hasSize(1).allMatch(n -> n.startsWith(".out.tmp-"));
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("incomplete");
        }
        assertThat(parentListing()).isEmpty();
    }

    @Test
    void aFailureMidStreamLeavesNothingBehind() throws IOException {
        Path target = parent.resolve("out");
        assertThatThrownBy(() -> {
            try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL,
                    ShardedCheckpointWriter.Options.defaults().withMaxShardBytes(150))) {
                writeAll(w, MODEL.subList(0, 5), 8);
                w.writeFloats(new float[3]); // the next tensor holds I32: floats cannot go there
            }
        }).isInstanceOf(IllegalArgumentException.class);
        assertThat(parentListing()).isEmpty();
    }

    @Test
    void anExistingCheckpointIsNeverOverwrittenUnlessAsked() throws IOException {
        Path target = Files.createDirectory(parent.resolve("out"));
        Files.writeString(target.resolve("old.txt"), "old");
        assertThatThrownBy(() -> ShardedCheckpointWriter.open(target, MODEL))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("not empty");
        assertThat(parentListing()).containsExactly("out");

        Path file = Files.writeString(parent.resolve("file"), "x");
        assertThatThrownBy(() -> ShardedCheckpointWriter.open(file, MODEL))
                .isExactlyInstanceOf(InvalidInputException.class).hasMessageContaining("not a directory");

        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL,
                ShardedCheckpointWriter.Options.defaults().withReplaceExisting(true))) {
            writeAll(w, MODEL, 64);
            assertThat(Files.readString(target.resolve("old.txt"))).isEqualTo("old");
            w.commit();
        }
        assertThat(Files.exists(target.resolve("old.txt"))).isFalse();
        assertReadsBack(target, MODEL);
        assertThat(parentListing()).containsExactly("file", "out");
    }

    @Test
    void anEmptyTargetDirectoryIsFilled() throws IOException {
        Path target = Files.createDirectory(parent.resolve("out"));
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL)) {
            writeAll(w, MODEL, 64);
            w.commit();
        }
        assertReadsBack(target, MODEL);
        assertThat(parentListing()).containsExactly("out");
    }

    @Test
    void filesPutIntoTheStagingDirectoryArePublishedWithTheWeights() throws IOException {
        Path target = parent.resolve("out");
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL)) {
            Files.writeString(w.stagingDirectory().resolve("config.json"), "{}");
            writeAll(w, MODEL, 64);
            w.commit();
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> w.writeFloats(new float[1])).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.readString(target.resolve("config.json"))).isEqualTo("{}");
        assertReadsBack(target, MODEL);
    }

    @Test
    void tooMuchDataAndDuplicateNamesAreRefused() throws IOException {
        Path target = parent.resolve("out");
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, MODEL.subList(1, 2))) {
            assertThatThrownBy(() -> w.writeFloats(new float[33])).isInstanceOf(IllegalStateException.class);
        }
        TensorSpec a = new TensorSpec("a", DType.F32, new long[] {1});
        assertThatThrownBy(() -> ShardedCheckpointWriter.open(target, List.of(a, new TensorSpec("b", DType.F32, new long[] {1}), a),
                ShardedCheckpointWriter.Options.defaults().withMaxShardBytes(4)))
                .isExactlyInstanceOf(InvalidInputException.class);
        assertThat(parentListing()).isEmpty();
    }

    // ---- generated models ------------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<TensorSpec>> models() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.F32, DType.BF16, DType.F16, DType.U8, DType.I64);
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 6).array(long[].class).ofMaxSize(3);
        return Combinators.combine(dtypes, shapes).as((d, s) -> new long[][] {{d.ordinal()}, s})
                .list().ofMaxSize(8)
                .map(list -> {
                    List<TensorSpec> specs = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        specs.add(new TensorSpec("layers." + i + ".w", DType.values()[(int) list.get(i)[0][0]], list.get(i)[1]));
                    }
                    return specs;
                });
    }

    @Property(tries = 40)
    void generatedModelsRoundTripUnderAnyShardLimit(@ForAll("models") List<TensorSpec> specs,
            @ForAll @IntRange(min = 1, max = 400) int limit, @ForAll @IntRange(min = 1, max = 50) int block) {
        Path target = parent.resolve("gen");
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(target, specs,
                ShardedCheckpointWriter.Options.defaults().withMaxShardBytes(limit))) {
            writeAll(w, specs, block);
            w.commit();
        }
        ShardPlan plan = ShardPlan.of(specs, limit);
        for (List<TensorSpec> shard : plan.shards()) {
            long bytes = shard.stream().mapToLong(TensorSpec::byteSize).sum();
            assertThat(bytes <= limit || shard.size() == 1).isTrue();
        }
        assertThat(Files.exists(target.resolve(WeightIndex.FILE_NAME))).isEqualTo(plan.sharded());
        assertReadsBack(target, specs);
    }

}
