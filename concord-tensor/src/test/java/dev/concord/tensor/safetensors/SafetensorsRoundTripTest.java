package dev.concord.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.FloatMatrix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void floatTensorsRoundTripInEachFloatDtype() {
        Random rnd = new Random(1);
        float[] values = new float[6 * 7];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, List.of(
                TensorData.ofFloats("w.f32", DType.F32, new long[] {6, 7}, values),
                TensorData.ofFloats("w.f16", DType.F16, new long[] {6, 7}, values),
                TensorData.ofFloats("w.bf16", DType.BF16, new long[] {42}, values)), Map.of());

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("w.f32", "w.f16", "w.bf16");
            assertThat(f.readFloats("w.f32")).containsExactly(values);
            float[] f16 = f.readFloats("w.f16");
            float[] bf16 = f.readFloats("w.bf16");
            for (int i = 0; i < values.length; i++) {
                assertThat(f16[i]).isEqualTo(FloatCodec.f16ToFloat(FloatCodec.floatToF16(values[i])));
                assertThat(bf16[i]).isEqualTo(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(values[i])));
            }
            assertThat(f.readMatrix("w.f32")).isEqualTo(new FloatMatrix(6, 7, values));
            assertThat(f.entry("w.bf16").shape()).containsExactly(42);
        }
    }

    @Test
    void rangesOfElementsCanBeReadWithoutTheRest() {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path file = dir.resolve("r.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofFloats("x", DType.F16, new long[] {10, 100}, values)),
                Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            float[] dst = new float[5];
            f.readFloats("x", 995, dst, 1, 4);
            assertThat(dst).containsExactly(0f, 497.5f, 498f, 498.5f, 499f);
            assertThatThrownBy(() -> f.readFloats("x", 997, new float[4], 0, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> f.readFloats("x", Long.MAX_VALUE - 1, new float[4], 0, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void everyDtypeRoundTripsByteForByteThroughRawBytes() {
        Random rnd = new Random(2);
        List<TensorData> tensors = new ArrayList<>();
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (DType d : DType.values()) {
            long[] shape = {2, 4}; // 8 elements fill whole bytes even for 4- and 6-bit types
            byte[] raw = new byte[(int) d.byteSize(8)];
            rnd.nextBytes(raw);
            tensors.add(TensorData.ofBytes("t." + d, d, shape, raw));
            expected.put("t." + d, raw);
        }
        Path file = dir.resolve("all.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                assertThat(f.segment(e.getKey()).toArray(ValueLayout.JAVA_BYTE)).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(f.entry("t.F4").byteSize()).isEqualTo(4);
            assertThat(f.entry("t.F6_E2M3").byteSize()).isEqualTo(6);
            assertThat(f.entry("t.C64").byteSize()).isEqualTo(64);
        }
    }

    @Test
    void nonFloatDtypesAreRecognisedButReadingThemAsFloatsIsUnsupported() {
        Path file = dir.resolve("i.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofBytes("ids", DType.I64, new long[] {2}, new byte[16])),
                Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.entry("ids").dtype()).isEqualTo(DType.I64);
            assertThatThrownBy(() -> f.readFloats("ids"))
                    .isInstanceOf(UnsupportedFeatureException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("I64");
        }
    }

    @Test
    void metadataRoundTrips() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode \"quoted\"\nnewline");
        meta.put("", "empty key");
        Path file = dir.resolve("meta.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofFloats("a", DType.F32, new long[] {1}, new float[] {3})),
                meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(meta);
        }
    }

    @Test
    void emptyTensorsAndScalarsRoundTrip() {
        Path file = dir.resolve("edge.safetensors");
        SafetensorsWriter.write(file, List.of(
                TensorData.ofFloats("empty", DType.F32, new long[] {0}, new float[0]),
                TensorData.ofFloats("scalar", DType.BF16, new long[] {}, new float[] {1.5f}),
                TensorData.ofFloats("empty2d", DType.F16, new long[] {3, 0}, new float[0]),
                TensorData.ofFloats("after", DType.F32, new long[] {2}, new float[] {7, 8})), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("empty")).isEmpty();
            assertThat(f.entry("scalar").rank()).isZero();
            assertThat(f.entry("scalar").numel()).isEqualTo(1);
            assertThat(f.readFloats("scalar")).containsExactly(1.5f);
            assertThat(f.entry("empty2d").shape()).containsExactly(3, 0);
            assertThat(f.readFloats("after")).containsExactly(7f, 8f);
        }
        // a file with no tensors at all is valid too
        Path none = dir.resolve("none.safetensors");
        SafetensorsWriter.write(none, List.of(), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(none)) {
            assertThat(f.names()).isEmpty();
        }
    }

    @Test
    void headerOrderMayDifferFromOffsetOrderAndHeaderMayEndInSpaces() {
        // "b" is listed first but stored second; the header is padded with extra spaces
        String header = "{" + RawSafetensors.entry("b", "F32", new long[] {1}, 4, 8) + ","
                + RawSafetensors.entry("a", "F32", new long[] {1}, 0, 4) + "}" + " ".repeat(13);
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-2f);
        Path file = RawSafetensors.write(dir, "o.safetensors", RawSafetensors.file(header, data.array()));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("b", "a");
            assertThat(f.readFloats("a")).containsExactly(1.25f);
            assertThat(f.readFloats("b")).containsExactly(-2f);
        }
    }

    @Test
    void writerPadsTheHeaderToEightBytesAndWritesLittleEndian() throws IOException {
        Path file = dir.resolve("p.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofFloats("abc", DType.F32, new long[] {1}, new float[] {1f})),
                Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(headerLen % 8).isZero();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{").matches("(?s)\\{.*\\} *");
        assertThat(bytes.length).isEqualTo(8 + headerLen + 4);
        // 1.0f is 0x3F800000: little-endian puts 00 00 80 3F on disk
        assertThat(new byte[] {bytes[bytes.length - 4], bytes[bytes.length - 3], bytes[bytes.length - 2],
                bytes[bytes.length - 1]}).containsExactly(0, 0, (byte) 0x80, 0x3F);
    }

    @Test
    void segmentsAreReadOnlyViewsOfTheMapNotHeapCopies() {
        Path file = dir.resolve("v.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofFloats("x", DType.F32, new long[] {4}, new float[] {1, 2, 3, 4})),
                Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            MemorySegment s = f.segment("x");
            assertThat(s.isNative()).isTrue();
            assertThat(s.isMapped()).isTrue();
            assertThat(s.isReadOnly()).isTrue();
            assertThat(s.heapBase()).isEmpty();
            assertThat(s.byteSize()).isEqualTo(16);
        }
    }

    @Test
    void closedFilesRefuseReadsAndCloseIsIdempotent() {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, List.of(TensorData.ofFloats("x", DType.F32, new long[] {1}, new float[] {1})),
                Map.of());
        SafetensorsFile f = SafetensorsFile.open(file);
        f.close();
        f.close();
        assertThatThrownBy(() -> f.readFloats("x")).hasMessageContaining("closed");
    }

    @Test
    void unknownTensorNamesAreReportedWithTheFile() {
        Path file = dir.resolve("n.safetensors");
        SafetensorsWriter.write(file, List.of(), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> f.entry("missing"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'missing'");
        }
    }

    @Test
    void writerStreamsRowBlocksAcrossTensorBoundaries() {
        Path file = dir.resolve("s.safetensors");
        List<TensorSpec> specs = List.of(TensorSpec.matrix("a", DType.F32, 3, 4), new TensorSpec("gap", DType.F16, new long[] {0}),
                TensorSpec.matrix("b", DType.BF16, 2, 2));
        float[] all = new float[16];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        try (SafetensorsWriter w = SafetensorsWriter.open(file, specs, Map.of())) {
            w.writeFloats(all, 0, 5);   // part of a
            w.writeFloats(all, 5, 9);   // rest of a, then into b
            w.writeFloats(all, 14, 2);  // end of b
            w.commit();
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("a")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(f.readFloats("b")).containsExactly(12, 13, 14, 15);
        }
    }

    @Test
    void writerIsAtomicAndLeavesNothingBehindWithoutCommit() throws IOException {
        Path file = dir.resolve("atomic.safetensors");
        Files.writeString(file, "previous content");
        try (SafetensorsWriter w = SafetensorsWriter.open(file, List.of(TensorSpec.matrix("a", DType.F32, 2, 2)), Map.of())) {
            w.writeFloats(new float[] {1, 2});
            assertThat(Files.readString(file)).isEqualTo("previous content");
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("incomplete");
        }
        assertThat(Files.readString(file)).isEqualTo("previous content");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("atomic.safetensors");
        }
        try (SafetensorsWriter w = SafetensorsWriter.open(file, List.of(TensorSpec.matrix("a", DType.F32, 2, 2)), Map.of())) {
            w.writeFloats(new float[] {1, 2, 3, 4});
            w.commit();
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("a")).containsExactly(1, 2, 3, 4);
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("atomic.safetensors");
        }
    }

    @Test
    void writtenFilesGetTheUsualPermissionsNotOwnerOnly() throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Path reference = Files.createFile(dir.resolve("reference"));
        Path file = dir.resolve("perm.safetensors");
        SafetensorsWriter.write(file, List.of(), Map.of());
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(expected);
    }

    @Test
    void writerRefusesDuplicateOrReservedNamesAndBadSpecs() {
        Path file = dir.resolve("dup.safetensors");
        TensorSpec a = TensorSpec.matrix("a", DType.F32, 1, 1);
        assertThatThrownBy(() -> SafetensorsWriter.open(file, List.of(a, a), Map.of()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> SafetensorsWriter.open(file, List.of(TensorSpec.matrix("__metadata__", DType.F32, 1, 1)),
                Map.of())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new TensorSpec("neg", DType.F32, new long[] {2, -1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorSpec("huge", DType.F32, new long[] {1L << 32, 1L << 32}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorSpec("odd", DType.F4, new long[] {3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorSpec("", DType.F32, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(file)).isFalse();
    }
}
