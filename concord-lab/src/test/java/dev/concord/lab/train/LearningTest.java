package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.TrainingData;
import dev.concord.model.weights.Projection;

import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A reduced-size run learns: the loss of a small model on a lab skill falls far below what the format explains. */
class LearningTest {
    private static final LabModelShape SMALL = new LabModelShape(32, 2, 4, 4, 64);
    private static final TrainingData DATA = new TrainingData(1, new Suite("none", OptionalLong.empty(), Map.of()));

    private static Iterator<SuiteItem> sortExamples() {
        return DATA.skill(LabSkills.byName("sort"), 0);
    }

    @Test
    void fullTrainingLearnsToSortLetters() {
        LabWeights w = LabWeights.initialized(SMALL, 1);
        TrainingSettings s = TinyModels.settings(8, 64, (long) (150 * 8 * 64 * TrainingSettings.ROW_FILL) + 1, 2e-2,
                20);
        // one thread: the result is the same for any count, and tests share the machine
        try (Trainer t = Trainer.full(w, s, 1)) {
            TrainingResult r = t.run(new BatchPacker(sortExamples(), 8, 64), TrainingListener.NONE);
            assertThat(r.steps()).isEqualTo(150);
            assertThat(r.firstLoss()).isGreaterThan(4.0); // about ln(128): knows nothing
            // answers are letters drawn from the input: copying them in a random order costs about ln(4) per token
            assertThat(r.finalLoss()).isLessThan(1.0);
        }
    }

    @Test
    void loraTrainingOverAFrozenBaseLowersTheLossAndLeavesTheBaseAlone() {
        LabWeights base = LabWeights.initialized(SMALL, 2);
        try (Trainer t = Trainer.full(base, TinyModels.settings(8, 64, 60 * 8 * 64, 2e-2, 10), 1)) {
            t.run(new BatchPacker(DATA.skill(LabSkills.byName("reverse"), 0), 8, 64), TrainingListener.NONE);
        }
        LabWeights frozen = base.copy();
        LoraWeights lora = LoraWeights.initialized(SMALL, new LoraSettings(4, 8, EnumSet.allOf(Projection.class)), 3);
        TrainingSettings s = TinyModels.settings(8, 64, 100 * 8 * 64, 2e-2, 10);
        try (Trainer t = Trainer.lora(base, lora, s, 1)) {
            TrainingResult r = t.run(new BatchPacker(sortExamples(), 8, 64), TrainingListener.NONE);
            // rank 4 over a base that never saw sorting: a clear fall, not a solved skill
            assertThat(r.finalLoss()).isLessThan(0.8 * r.firstLoss());
        }
        List<NamedTensor> before = frozen.tensors();
        List<NamedTensor> after = base.tensors();
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i).values()).as(after.get(i).name()).containsExactly(before.get(i).values());
        }
    }
}
