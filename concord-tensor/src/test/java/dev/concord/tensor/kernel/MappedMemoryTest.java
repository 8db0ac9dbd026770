package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MappedMemoryTest {
    @Test
    void givesZeroedWritableMappedMemoryAndLeavesNoFileBehind() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = MappedMemory.allocate(10_000, "a test buffer", arena);
            assertThat(s.byteSize()).isEqualTo(10_000);
            assertThat(s.isMapped()).as("mapped like checkpoint weights, not plain native memory").isTrue();
            assertThat(s.address() % 4096).isZero();
            for (long i = 0; i < s.byteSize(); i++) {
                assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isZero();
            }
            s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 9_996, 1.5f);
            assertThat(s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 9_996)).isEqualTo(1.5f);
        }
        for (Path dir : new Path[] {Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir"))}) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    assertThat(files.filter(p -> p.getFileName().toString().startsWith("concord-memory-")))
                            .as("unlinked right after mapping").isEmpty();
                }
            }
        }
    }

    @Test
    void quantizedCopiesLiveInMappedMemory() {
        float[] values = new float[64 * 32];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 17) - 8;
        }
        WeightMatrix q = WeightMatrix.ofFloats(values, 64, 32).quantizeQ8_0(false);
        assertThat(q.data().isMapped()).isTrue();
    }
}
