package dev.concord.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AdapterInputTest {
    @Test
    void weightFollowsTheLastColonWhenItIsAPlainDecimal() {
        assertThat(AdapterInput.parse("a/b:0.5")).satisfies(a -> {
            assertThat(a.path()).isEqualTo(Path.of("a/b"));
            assertThat(a.weight()).isEqualTo(0.5);
        });
        assertThat(AdapterInput.parse("x:-2").weight()).isEqualTo(-2.0);
        assertThat(AdapterInput.parse("x:1e-3").weight()).isEqualTo(1e-3);
        assertThat(AdapterInput.parse("x:2.5E+2").weight()).isEqualTo(250.0);
        assertThat(AdapterInput.parse("dir:with:colons:3").path()).isEqualTo(Path.of("dir:with:colons"));
    }

    @Test
    void anythingElseStaysInThePathWithWeightOne() {
        for (String s : new String[] {"x:NaN", "x:Infinity", "x:-Infinity", "x:0x1p3", "x:1.", "x:.5", "x:+1", "x:1_0",
                "C:\\adapters\\a", "plain", "x:"}) {
            AdapterInput a = AdapterInput.parse(s);
            assertThat(a.path().toString()).as(s).isEqualTo(Path.of(s).toString());
            assertThat(a.weight()).as(s).isEqualTo(1.0);
        }
    }

    @Test
    void refusesAWeightWithoutPathOrOutOfRange() {
        assertThatThrownBy(() -> AdapterInput.parse(":0.5")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AdapterInput.parse("x:1e999")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("out of range");
    }
}
