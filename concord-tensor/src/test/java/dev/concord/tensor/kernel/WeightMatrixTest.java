package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightMatrixTest {

    @Test
    void readsEveryFormatAtATwoByteAlignedAddress() {
        float[] values = {1f, -2f, 0.5f, 3.25f, -0.125f, 6f};
        for (WeightFormat f : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16, WeightFormat.F16}) {
            WeightMatrix w = TestWeights.fromFloats(f, values, 2, 3, TestWeights.Placement.NATIVE_2_ALIGNED, false);
            assertThat(w.data().address() % 4).isEqualTo(2);
            assertThat(w.get(1, 0)).as("%s", f).isEqualTo(3.25f);
            float[] row = new float[5];
            w.readRow(1, row, 2);
            assertThat(row).containsExactly(0f, 0f, 3.25f, -0.125f, 6f);
        }
    }

    @Test
    void mapsSafetensorsDtypes() {
        MemorySegment data = MemorySegment.ofArray(new short[6]);
        assertThat(WeightMatrix.of(DType.BF16, data, 2, 3).format()).isEqualTo(WeightFormat.BF16);
        assertThat(WeightMatrix.of(DType.F16, data, 3, 2).format()).isEqualTo(WeightFormat.F16);
        assertThatThrownBy(() -> WeightMatrix.of(DType.I8, data, 3, 4))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("I8");
    }

    @Test
    void rejectsSegmentsOfTheWrongSizeAndEmptyShapes() {
        MemorySegment data = MemorySegment.ofArray(new byte[24]);
        assertThatThrownBy(() -> WeightMatrix.of(WeightFormat.F32, data, 2, 4))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("needs 32 bytes").hasMessageContaining("has 24");
        assertThatThrownBy(() -> WeightMatrix.of(WeightFormat.BF16, data, 0, 12))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> WeightMatrix.of(WeightFormat.Q8_0, data, 2, 12))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WeightMatrix.ofQ8_0(data, MemorySegment.ofArray(new float[1]), WeightFormat.F32, 2, 12))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("scales");
        assertThatThrownBy(() -> WeightMatrix.ofFloats(new float[5], 2, 3))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void rowRangeIsAViewOfTheSameValues() {
        Random rnd = new Random(4);
        for (WeightFormat f : WeightFormat.values()) {
            WeightMatrix w = TestWeights.random(f, 10, 45, rnd);
            WeightMatrix part = w.rowRange(3, 4);
            assertThat(part.rows()).isEqualTo(4);
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 45; c++) {
                    assertThat(part.get(r, c)).isEqualTo(w.get(r + 3, c));
                }
            }
            assertThatThrownBy(() -> w.rowRange(8, 3)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsOutOfRangeAccess() {
        WeightMatrix w = WeightMatrix.ofFloats(new float[6], 2, 3);
        assertThatThrownBy(() -> w.get(2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.readRow(0, new float[2], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(w::scales).isInstanceOf(IllegalStateException.class);
    }
}
