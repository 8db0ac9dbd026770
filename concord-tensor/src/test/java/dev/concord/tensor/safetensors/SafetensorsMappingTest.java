package dev.concord.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader maps the file and never copies it to the heap: a 1 GiB tensor in a sparse file is opened and
 * sampled by a JVM whose whole heap is 32 MB.
 */
class SafetensorsMappingTest {
    static final long ELEMENTS = 1L << 28; // 2^28 float32 = 1 GiB
    static final long[] SAMPLED = {0, 1, ELEMENTS / 2, ELEMENTS - 1};

    @TempDir
    Path dir;

    /** A sparse file: header, then 1 GiB of zeros the file system does not store, with a few values set. */
    private Path bigSparseFile() throws IOException {
        Path file = dir.resolve("big.safetensors");
        String json = "{" + RawSafetensors.entry("big", "F32", new long[] {ELEMENTS}, 0, ELEMENTS * 4) + "}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(RawSafetensors.file(header, new byte[0]));
            long dataStart = 8 + header.length;
            raf.setLength(dataStart + ELEMENTS * 4);
            for (long i : SAMPLED) {
                raf.seek(dataStart + i * 4);
                raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(valueAt(i)).array());
            }
        }
        return file;
    }

    static float valueAt(long i) {
        return 1 + i * 0.25f;
    }

    @Test
    void aGigabyteTensorIsAViewIntoTheMap() throws IOException {
        Path file = bigSparseFile();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            MemorySegment s = f.segment("big");
            assertThat(s.byteSize()).isEqualTo(ELEMENTS * 4);
            assertThat(s.isMapped()).isTrue();
            assertThat(s.heapBase()).isEmpty();
            float[] one = new float[1];
            for (long i : SAMPLED) {
                f.readFloats("big", i, one, 0, 1);
                assertThat(one[0]).isEqualTo(valueAt(i));
            }
        }
    }

    @Test
    void aJvmWithA32MegabyteHeapCanOpenAndSampleIt() throws Exception {
        Path file = bigSparseFile();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx32m", "-cp", classpath,
                MappedReadProbe.class.getName(), file.toString()));
        for (long i : SAMPLED) {
            cmd.add(Long.toString(i));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        StringBuilder expected = new StringBuilder();
        for (long i : SAMPLED) {
            expected.append(expected.isEmpty() ? "" : " ").append(valueAt(i));
        }
        assertThat(out).endsWith(expected.toString());
    }
}
