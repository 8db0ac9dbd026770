package dev.concord.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class DTypeTest {
    @Test
    void onlyTheThreeFloatFormatsAreReadAsFloats() {
        EnumSet<DType> readable = EnumSet.noneOf(DType.class);
        for (DType d : DType.values()) {
            if (d.readableAsFloat()) {
                readable.add(d);
            }
        }
        assertThat(readable).containsExactlyInAnyOrder(DType.F32, DType.F16, DType.BF16);
    }

    @Test
    void everySafetensorsDtypeIsRecognisedByItsExactName() {
        for (String name : new String[] {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16",
                "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"}) {
            assertThat(DType.fromSafetensorsName(name)).as(name).map(Enum::name).contains(name);
        }
        assertThat(DType.fromSafetensorsName("f32")).isEmpty();
        assertThat(DType.fromSafetensorsName("F128")).isEmpty();
        assertThat(DType.fromSafetensorsName("")).isEmpty();
        assertThat(DType.knownNames()).contains("BF16").contains("F8_E4M3");
    }

    @Test
    void byteSizesFollowTheElementWidth() {
        assertThat(DType.F64.byteSize(3)).isEqualTo(24);
        assertThat(DType.F32.byteSize(3)).isEqualTo(12);
        assertThat(DType.BF16.byteSize(3)).isEqualTo(6);
        assertThat(DType.F16.byteSize(0)).isZero();
        assertThat(DType.BOOL.byteSize(5)).isEqualTo(5);
        assertThat(DType.F8_E4M3.byteSize(5)).isEqualTo(5);
        assertThat(DType.C64.byteSize(2)).isEqualTo(16);
        assertThat(DType.F32.byteWidth()).isEqualTo(4);
        assertThat(DType.BF16.byteWidth()).isEqualTo(2);
        assertThat(DType.U8.byteWidth()).isEqualTo(1);
    }

    @Test
    void subByteTypesPackTheirBitsAndMustFillWholeBytes() {
        assertThat(DType.F4.byteSize(2)).isEqualTo(1);
        assertThat(DType.F6_E3M2.byteSize(4)).isEqualTo(3);
        assertThatThrownBy(() -> DType.F4.byteSize(3)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> DType.F6_E2M3.byteSize(2)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void byteSizesThatOverflowALongAreReported() {
        assertThatThrownBy(() -> DType.F32.byteSize(Long.MAX_VALUE / 4)).isInstanceOf(ArithmeticException.class);
        assertThat(DType.U8.byteSize(Long.MAX_VALUE / 8)).isEqualTo(Long.MAX_VALUE / 8);
    }
}
