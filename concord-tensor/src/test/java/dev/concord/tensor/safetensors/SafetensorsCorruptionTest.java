package dev.concord.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One example per kind of damage, each checked for the exact exception type and a message that explains it. */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    private static final String A = RawSafetensors.entry("a", "F32", new long[] {2}, 0, 8);
    private static final String B = RawSafetensors.entry("b", "F16", new long[] {2}, 8, 12);

    private static Arguments header(String what, String json, int dataBytes, String expected) {
        return Arguments.of(what, RawSafetensors.file(json, new byte[dataBytes]), expected);
    }

    private static Arguments raw(String what, byte[] file, String expected) {
        return Arguments.of(what, file, expected);
    }

    static Stream<Arguments> corruptFiles() {
        byte[] notUtf8 = "{\"a\u00e9\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] overlong = "{\"a__\":{}}".getBytes(StandardCharsets.US_ASCII);
        overlong[3] = (byte) 0xC0; // C0 AF is an overlong '/': invalid in strict UTF-8
        overlong[4] = (byte) 0xAF;
        byte[] bom = ("\uFEFF{}").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                raw("empty file", new byte[0], "too short"),
                raw("five bytes", new byte[5], "too short"),
                raw("huge header length", RawSafetensors.file(1L << 40, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                        "exceeds the 100 MB limit"),
                raw("header length with the top bit set", RawSafetensors.file(-2L, "{}".getBytes(StandardCharsets.UTF_8),
                        new byte[0]), "18446744073709551614 exceeds"),
                raw("header length past the end", RawSafetensors.file(1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                        "runs past the end"),
                raw("header length too short", RawSafetensors.file(5, ("{" + A + "}").getBytes(StandardCharsets.UTF_8),
                        new byte[8]), "not valid JSON"),
                raw("empty header", RawSafetensors.file(0, new byte[0], new byte[0]), "starting with '{'"),
                raw("not UTF-8", RawSafetensors.file(notUtf8, new byte[0]), "not valid UTF-8"),
                raw("overlong UTF-8", RawSafetensors.file(overlong, new byte[0]), "not valid UTF-8"),
                raw("byte order mark", RawSafetensors.file(bom, new byte[0]), "starting with '{'"),
                header("truncated JSON", "{\"a\":", 0, "not valid JSON"),
                header("JSON array", "[]", 0, "starting with '{'"),
                header("JSON string", "\"x\"", 0, "starting with '{'"),
                header("two objects", "{} {}", 0, "after its JSON object"),
                header("garbage after object", "{}x", 0, "not valid JSON"),
                header("comment", "{/* c */}", 0, "not valid JSON"),
                header("NaN", "{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,0]}}", 0, "not valid JSON"),
                header("deep nesting", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":"
                        + "[".repeat(5000) + "]".repeat(5000) + "}}", 4, "not valid JSON"),
                header("trailing NUL padding", "{}\0\0", 0, "not valid JSON"),
                header("duplicate tensor", "{" + A + "," + A + "}", 8, "'a' appears twice"),
                header("duplicate metadata", "{\"__metadata__\":{},\"__metadata__\":{}}", 0, "__metadata__ appears twice"),
                header("duplicate metadata key", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "'k' appears twice"),
                header("numeric metadata", "{\"__metadata__\":{\"k\":1}}", 0, "value for 'k' is not a string"),
                header("nested metadata", "{\"__metadata__\":{\"k\":{}}}", 0, "value for 'k' is not a string"),
                header("metadata array", "{\"__metadata__\":[]}", 0, "__metadata__ must be an object"),
                header("unknown dtype", "{" + A.replace("F32", "F128") + "}", 8, "unknown dtype 'F128'"),
                header("lower-case dtype", "{" + A.replace("F32", "f32") + "}", 8, "unknown dtype 'f32'"),
                header("dtype not a string", "{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                        "dtype must be a string"),
                header("missing dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "has no dtype"),
                header("missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "has no shape"),
                header("missing offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "needs data_offsets"),
                header("three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", 8,
                        "found 3 numbers"),
                header("repeated field", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        8, "two dtype fields"),
                header("entry not an object", "{\"a\":[1,2]}", 0, "must be described by an object"),
                header("empty name", "{" + A.replace("\"a\"", "\"\"") + "}", 8, "empty name"),
                header("negative dimension", "{" + A.replace("[2]", "[-2]") + "}", 8, "non-negative integers"),
                header("fractional dimension", "{" + A.replace("[2]", "[2.0]") + "}", 8, "found 2.0"),
                header("exponent dimension", "{" + A.replace("[2]", "[2e0]") + "}", 8, "non-negative integers"),
                header("string dimension", "{" + A.replace("[2]", "[\"2\"]") + "}", 8, "found the string '2'"),
                header("shape not an array", "{" + A.replace("[2]", "2") + "}", 8, "must be an array"),
                header("dimension beyond 2^63", "{" + A.replace("[2]", "[99999999999999999999]") + "}", 8, "below 2^63"),
                header("element count overflows", "{" + A.replace("[2]", "[4294967296,4294967296]") + "}", 8,
                        "more than 2^63 elements"),
                header("byte count overflows", "{" + A.replace("[2]", "[4611686018427387904]") + "}", 8,
                        "larger than 2^63 bits"),
                header("sub-byte tensor of odd length", "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2,
                        "does not fill whole bytes"),
                header("size does not match shape", "{" + A.replace("[0,8]", "[0,12]") + "}", 12, "needs 8 bytes"),
                header("end before begin", "{" + A.replace("[0,8]", "[8,0]") + "}", 8, "before begin"),
                header("negative offset", "{" + A.replace("[0,8]", "[-8,0]") + "}", 8, "non-negative integers"),
                header("overlap", "{" + A + "," + B.replace("[8,12]", "[6,10]") + "}", 12, "overlaps tensor 'a'"),
                header("gap", "{" + A + "," + B.replace("[8,12]", "[9,13]") + "}", 13, "gap in the data area"),
                header("gap at the start", "{" + A.replace("[0,8]", "[4,12]") + "}", 12, "gap in the data area"),
                header("data beyond the file", "{" + A + "," + B + "}", 10, "truncated"),
                header("huge tensor in a tiny file", "{" + A.replace("[2]", "[274877906944]")
                        .replace("[0,8]", "[0,1099511627776]") + "}", 8, "file holds only 8"),
                header("trailing bytes", "{" + A + "}", 9, "1 trailing bytes"),
                header("name with a newline", "{" + A.replace("\"a\"", "\"a\\nb\"") + "," + A.replace("\"a\"", "\"a\\nb\"")
                        + "}", 8, "'a\\u000ab' appears twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptFilesAreRefusedWithOneClearLine(String what, byte[] content, String expected) {
        Path file = RawSafetensors.write(dir, "bad.safetensors", content);
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .as(what)
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }

    @Test
    void missingFilesDirectoriesAndFifosAreRefusedWithoutBlocking() throws Exception {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("nope.safetensors")))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> SafetensorsFile.open(dir))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a regular file");
        Path fifo = dir.resolve("fifo.safetensors");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (java.io.IOException noMkfifo) {
            return;
        }
        if (mk.waitFor() == 0) {
            // opening a FIFO for reading would block until a writer appears; the reader must not even try
            assertThatThrownBy(() -> SafetensorsFile.open(fifo))
                    .isExactlyInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("not a regular file");
        }
    }

    @Test
    void aValidFileStaysValidUntilOneByteIsAppended() throws Exception {
        byte[] ok = RawSafetensors.file("{" + A + "," + B + "}", new byte[12]);
        Path file = RawSafetensors.write(dir, "ok.safetensors", ok);
        SafetensorsFile.open(file).close();
        byte[] longer = ByteBuffer.allocate(ok.length + 1).order(ByteOrder.LITTLE_ENDIAN).put(ok).array();
        Files.write(file, longer);
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isExactlyInstanceOf(InvalidInputException.class);
    }
}
