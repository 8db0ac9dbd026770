package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {
    @Test
    void measuresAPlausibleRateOnASmallBuffer() {
        MemoryBandwidth.Result r = MemoryBandwidth.measureRead(2, 2 << 20, 1);
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.bufferBytes()).isEqualTo(2 << 20);
        // so few passes may all run interpreted (slow) or from cache (fast): only the sanity of the figure is checked
        assertThat(r.gigabytesPerSecond()).isPositive().isLessThan(10_000.0);
        assertThat(r.toString()).contains("GB/s");
    }

    @Test
    void rejectsBuffersTooSmallToSplit() {
        assertThatThrownBy(() -> MemoryBandwidth.measureRead(4, 100, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
