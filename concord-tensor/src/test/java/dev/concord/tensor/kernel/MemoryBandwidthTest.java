package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {
    @Test
    void measuresAPlausibleRateOnASmallBuffer() {
        MemoryBandwidth.Result r = MemoryBandwidth.measureRead(2, 8 << 20, 2);
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.bufferBytes()).isEqualTo(8 << 20);
        // anything from a slow emulator (0.1 GB/s) to a cache-resident read (a few TB/s) is plausible
        assertThat(r.gigabytesPerSecond()).isBetween(0.1, 5000.0);
        assertThat(r.toString()).contains("GB/s");
    }

    @Test
    void rejectsBuffersTooSmallToSplit() {
        assertThatThrownBy(() -> MemoryBandwidth.measureRead(4, 100, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
