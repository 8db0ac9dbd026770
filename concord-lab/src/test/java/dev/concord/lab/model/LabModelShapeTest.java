package dev.concord.lab.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import dev.concord.model.config.Architecture;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.config.ModelConfigReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabModelShapeTest {
    @Test
    void theEngineReadsTheConfigAsTheShapeSays() throws Exception {
        LabModelShape shape = new LabModelShape(128, 4, 4, 2, 384);
        ModelConfig c = ModelConfigReader.parse(new ObjectMapper().readTree(shape.configJson()), "config.json");
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.hiddenSize()).isEqualTo(128);
        assertThat(c.numLayers()).isEqualTo(4);
        assertThat(c.numHeads()).isEqualTo(4);
        assertThat(c.numKvHeads()).isEqualTo(2);
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(c.intermediateSize()).isEqualTo(384);
        assertThat(c.vocabSize()).isEqualTo(128);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.bosTokenId()).hasValue(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.ropeTheta()).isEqualTo(10_000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
    }

    @Test
    void parameterCountMatchesTheTorchPrototype() {
        // scripts/lab/lab_model.py reports 869,504 parameters for 4 layers, d=128, 4 heads, SwiGLU 384
        assertThat(LabModelShape.DEFAULT.parameterCount()).isEqualTo(869_504);
        // count by hand for two kv heads: k and v shrink from 128x128 to 64x128 in each of 4 layers
        assertThat(new LabModelShape(128, 4, 4, 2, 384).parameterCount()).isEqualTo(869_504 - 4 * 2 * 64 * 128);
    }

    @Test
    void refusesShapesTheArchitectureCannotHave() {
        assertThatThrownBy(() -> new LabModelShape(128, 4, 3, 3, 384)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LabModelShape(128, 4, 4, 3, 384)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LabModelShape(0, 4, 4, 4, 384)).isInstanceOf(InvalidInputException.class);
    }
}
