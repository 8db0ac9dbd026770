package dev.concord.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated files: valid ones must read back exactly; damaged ones must be refused with
 * {@link InvalidInputException} and nothing else (no other exception, no partial success that reads out of
 * range).
 */
class SafetensorsPropertiesTest {
    private static Path dir;

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("st-props");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** A tensor with its bytes, as the tests generate it. */
    record Tensor(String name, DType dtype, long[] shape, byte[] bytes) {
        long size() {
            return bytes.length;
        }
    }

    // ---- generators -----------------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<Tensor>> tensors() {
        Arbitrary<String> names = Arbitraries.strings()
                .withChars("abcxyz._0123456789éλ中")
                .withChars('\u00a0', '\u2028', '"', '\\', '\n')
                .ofMinLength(1).ofMaxLength(12)
                .filter(n -> !n.equals(SafetensorsHeader.METADATA_KEY));
        Arbitrary<DType> dtypes = Arbitraries.of(DType.class);
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 5).array(long[].class).ofMaxSize(3);
        Arbitrary<Tensor> tensor = Combinators.combine(names, dtypes, shapes, Arbitraries.longs())
                .as((name, dtype, shape, seed) -> {
                    long numel = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
                    DType d = numel * dtype.bits() % 8 == 0 ? dtype : DType.U8;
                    byte[] bytes = new byte[(int) d.byteSize(numel)];
                    new Random(seed).nextBytes(bytes);
                    return new Tensor(name, d, shape, bytes);
                });
        return tensor.list().ofMaxSize(6).uniqueElements(Tensor::name);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withChars('é', '\n').ofMaxLength(10);
        return Arbitraries.maps(text, text).ofMaxSize(3);
    }

    // ---- files built by the writer --------------------------------------------------------------------------

    private static Path writeWithWriter(List<Tensor> tensors, Map<String, String> metadata) {
        Path file = dir.resolve("w-" + System.nanoTime() + ".safetensors");
        List<TensorData> data = tensors.stream()
                .map(t -> TensorData.ofBytes(t.name(), t.dtype(), t.shape(), t.bytes()))
                .toList();
        SafetensorsWriter.write(file, data, metadata);
        return file;
    }

    private static void assertHolds(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).isEqualTo(metadata);
            assertThat(f.names()).containsExactlyInAnyOrderElementsOf(tensors.stream().map(Tensor::name).toList());
            for (Tensor t : tensors) {
                TensorEntry e = f.entry(t.name());
                assertThat(e.dtype()).isEqualTo(t.dtype());
                assertThat(e.shape()).isEqualTo(t.shape());
                assertThat(f.segment(t.name()).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(t.bytes());
                if (t.dtype().readableAsFloat()) {
                    assertThat(f.readFloats(t.name())).hasSize((int) e.numel());
                }
            }
        }
    }

    @Property(tries = 60)
    void writtenFilesReadBackExactly(@ForAll("tensors") List<Tensor> tensors, @ForAll("metadata") Map<String, String> metadata)
            throws IOException {
        Path file = writeWithWriter(tensors, metadata);
        try {
            assertHolds(file, tensors, metadata);
        } finally {
            Files.delete(file);
        }
    }

    // ---- files built by hand: header order shuffled, padding varied ------------------------------------------

    /** A header whose entry order is a shuffle of the data order, padded with {@code spaces} spaces. */
    private static byte[] handMade(List<Tensor> tensors, Map<String, String> metadata, long shuffleSeed, int spaces) {
        List<String> entries = new ArrayList<>();
        long offset = 0;
        for (Tensor t : tensors) {
            entries.add(jsonString(t.name()) + ":{\"dtype\":\"" + t.dtype() + "\",\"shape\":" + Arrays.toString(t.shape())
                    + ",\"data_offsets\":[" + offset + "," + (offset + t.size()) + "]}");
            offset += t.size();
        }
        if (!metadata.isEmpty()) {
            StringBuilder m = new StringBuilder("\"__metadata__\":{");
            metadata.forEach((k, v) -> m.append(m.length() > 16 ? "," : "").append(jsonString(k)).append(':').append(jsonString(v)));
            entries.add(m.append('}').toString());
        }
        Collections.shuffle(entries, new Random(shuffleSeed));
        String header = "{" + String.join(",", entries) + "}" + " ".repeat(spaces);
        byte[] data = new byte[(int) offset];
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.bytes(), 0, data, at, t.bytes().length);
            at += t.bytes().length;
        }
        return RawSafetensors.file(header, data);
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Property(tries = 150)
    void shuffledHeadersWithAnyPaddingReadBackExactly(@ForAll("tensors") List<Tensor> tensors,
            @ForAll("metadata") Map<String, String> metadata, @ForAll long seed, @ForAll @IntRange(max = 20) int spaces) {
        Path file = RawSafetensors.write(dir, "h.safetensors", handMade(tensors, metadata, seed, spaces));
        assertHolds(file, tensors, metadata);
    }

    // ---- damaged files ---------------------------------------------------------------------------------------

    private static void assertRefused(byte[] content) {
        Path file = RawSafetensors.write(dir, "bad.safetensors", content);
        try {
            SafetensorsFile.open(file).close();
            fail("accepted a damaged file");
        } catch (InvalidInputException e) {
            assertThat(e.getClass()).isEqualTo(InvalidInputException.class);
            assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
        }
    }

    // The damage properties start from hand-made files: the writer syncs to disk, which would dominate their time.

    @Property(tries = 200)
    void everyTruncationIsRefused(@ForAll("tensors") List<Tensor> tensors, @ForAll("metadata") Map<String, String> metadata,
            @ForAll long seed, @ForAll @IntRange(max = 20) int spaces, @ForAll @IntRange(max = Integer.MAX_VALUE - 1) int cutSeed) {
        byte[] bytes = handMade(tensors, metadata, seed, spaces);
        int cut = cutSeed % bytes.length; // keep 0 .. length-1 bytes
        assertRefused(Arrays.copyOf(bytes, cut));
    }

    /** Random damage anywhere: the file is either refused cleanly or still fully readable. */
    @Property(tries = 300)
    void randomByteDamageNeverEscapesAsAnotherException(@ForAll("tensors") List<Tensor> tensors,
            @ForAll("metadata") Map<String, String> metadata, @ForAll long seed) throws IOException {
        Random rnd = new Random(seed);
        byte[] bytes = handMade(tensors, metadata, seed, rnd.nextInt(8));
        Path file = dir.resolve("damaged.safetensors");
        int hits = 1 + rnd.nextInt(3);
        for (int i = 0; i < hits; i++) {
            // aim mostly at the length prefix and the header, where the structure is
            int limit = rnd.nextInt(4) == 0 ? bytes.length : Math.min(bytes.length, 8 + 64 + rnd.nextInt(bytes.length));
            bytes[rnd.nextInt(limit)] = (byte) rnd.nextInt(256);
        }
        Files.write(file, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorEntry e : f.tensors()) {
                assertThat(f.segment(e.name()).byteSize()).isEqualTo(e.byteSize());
                if (e.dtype().readableAsFloat()) {
                    f.readFloats(e.name());
                }
            }
        } catch (InvalidInputException e) {
            assertThat(e.getClass()).isEqualTo(InvalidInputException.class);
            assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
        } finally {
            Files.delete(file);
        }
    }

    /** Targeted damage to an otherwise valid header; every kind must be refused. */
    enum Damage {
        OVERLAPPING_OFFSETS, GAP_BETWEEN_TENSORS, OFFSETS_BEYOND_DATA, SIZE_NOT_MATCHING_SHAPE, DUPLICATE_NAME,
        NON_STRING_METADATA, UNKNOWN_DTYPE, NEGATIVE_DIMENSION, FRACTIONAL_DIMENSION, OVERFLOWING_SHAPE,
        MISSING_FIELD, WRONG_FIELD_TYPE, BROKEN_JSON, NON_UTF8_NAME, HUGE_HEADER_LENGTH, HEADER_LENGTH_BEYOND_FILE,
        SHORTER_HEADER_LENGTH, TRAILING_DATA, DATA_SHORT_BY_ONE
    }

    @Provide
    Arbitrary<List<Tensor>> atLeastTwoNonEmpty() {
        // two fixed non-empty tensors guarantee every damage has something to work on; '#' never occurs in
        // generated names, so they cannot collide
        return tensors().map(list -> {
            List<Tensor> all = new ArrayList<>(list);
            all.add(new Tensor("#p", DType.F32, new long[] {2}, new byte[8]));
            all.add(new Tensor("#q", DType.BF16, new long[] {3}, new byte[6]));
            return all;
        });
    }

    @Property(tries = 300)
    void everyKindOfHeaderDamageIsRefused(@ForAll("atLeastTwoNonEmpty") List<Tensor> tensors, @ForAll Damage damage,
            @ForAll long seed) {
        assertRefused(damaged(tensors, damage, new Random(seed)));
    }

    private static byte[] damaged(List<Tensor> tensors, Damage damage, Random rnd) {
        List<Tensor> sized = tensors.stream().filter(t -> t.size() > 0).toList();
        Tensor victim = sized.get(rnd.nextInt(sized.size()));
        long[] begin = new long[tensors.size()];
        long offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            begin[i] = offset;
            offset += tensors.get(i).size();
        }
        long dataSize = offset;
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            String name = jsonString(t.name());
            String dtype = "\"" + t.dtype() + "\"";
            String shape = Arrays.toString(t.shape());
            long b = begin[i];
            long e = b + t.size();
            if (t == victim) {
                switch (damage) {
                    case OVERLAPPING_OFFSETS -> {
                        // move the victim one byte earlier, or later when it sits at the start, on top of its neighbour
                        b += b > 0 ? -1 : 1;
                        e = b + t.size();
                    }
                    case GAP_BETWEEN_TENSORS -> {
                        // the victim starts one byte later than the previous one ends; every later tensor follows it
                        b += 1;
                        e += 1;
                    }
                    case OFFSETS_BEYOND_DATA -> {
                        b += dataSize;
                        e += dataSize;
                    }
                    case SIZE_NOT_MATCHING_SHAPE -> e += 1 + rnd.nextInt(3);
                    case DUPLICATE_NAME -> entries.add(entry(name, dtype, shape, b, e));
                    case UNKNOWN_DTYPE -> dtype = "\"" + List.of("F128", "f32", "", "FLOAT", "U4").get(rnd.nextInt(5)) + "\"";
                    case NEGATIVE_DIMENSION -> shape = "[-" + (1 + rnd.nextInt(5)) + "]";
                    case FRACTIONAL_DIMENSION -> shape = "[" + t.size() + ".5]";
                    case OVERFLOWING_SHAPE -> shape = List.of("[4294967296,4294967296]", "[9223372036854775807,2]",
                            "[99999999999999999999999]", "[3037000500,3037000500]").get(rnd.nextInt(4));
                    case WRONG_FIELD_TYPE -> {
                        switch (rnd.nextInt(4)) {
                            case 0 -> dtype = "32";
                            case 1 -> shape = "\"" + shape + "\"";
                            case 2 -> shape = "{}";
                            default -> dtype = "null";
                        }
                    }
                    default -> { }
                }
            }
            if (t == victim && damage == Damage.MISSING_FIELD) {
                entries.add(switch (rnd.nextInt(3)) {
                    case 0 -> name + ":{\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
                    case 1 -> name + ":{\"dtype\":" + dtype + ",\"data_offsets\":[" + b + "," + e + "]}";
                    default -> name + ":{\"dtype\":" + dtype + ",\"shape\":" + shape + "}";
                });
            } else if (t == victim && damage == Damage.NON_UTF8_NAME) {
                entries.add("\u0000NONUTF8\u0000" + ":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":["
                        + b + "," + e + "]}");
            } else {
                entries.add(entry(name, dtype, shape, b, e));
            }
            if (t == victim && damage == Damage.GAP_BETWEEN_TENSORS) {
                // shift everything after the victim too, so that the only fault is the one-byte hole
                for (int j = i + 1; j < tensors.size(); j++) {
                    begin[j] += 1;
                }
                dataSize += 1;
            }
        }
        if (damage == Damage.NON_STRING_METADATA) {
            entries.add("\"__metadata__\":{\"k\":" + List.of("1", "true", "null", "[]", "{}").get(rnd.nextInt(5)) + "}");
        }
        Collections.shuffle(entries, rnd);
        String json = "{" + String.join(",", entries) + "}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        if (damage == Damage.NON_UTF8_NAME) {
            String s = new String(header, StandardCharsets.ISO_8859_1);
            int at = s.indexOf("\u0000NONUTF8\u0000");
            header[at] = '"';
            header[at + 1] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
            header[at + 8] = '"';
        }
        if (damage == Damage.BROKEN_JSON) {
            int cut = 1 + rnd.nextInt(header.length - 1); // drop the closing brace at least
            header = Arrays.copyOf(header, cut);
        }
        long dataBytes = switch (damage) {
            case TRAILING_DATA -> dataSize + 1 + rnd.nextInt(8);
            case DATA_SHORT_BY_ONE -> dataSize - 1;
            default -> dataSize;
        };
        long declared = switch (damage) {
            case HUGE_HEADER_LENGTH -> SafetensorsHeader.MAX_HEADER_BYTES + 1 + rnd.nextInt(Integer.MAX_VALUE);
            case HEADER_LENGTH_BEYOND_FILE -> header.length + dataBytes + 1 + rnd.nextInt(100);
            case SHORTER_HEADER_LENGTH -> header.length - 1 - rnd.nextInt(header.length);
            default -> header.length;
        };
        return RawSafetensors.file(declared, header, new byte[(int) dataBytes]);
    }

    private static String entry(String name, String dtype, String shape, long b, long e) {
        return name + ":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
    }
}
