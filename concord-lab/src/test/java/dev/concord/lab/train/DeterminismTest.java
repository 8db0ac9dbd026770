package dev.concord.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.PretrainingExample;
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

/** The same seeds give the same weights bit for bit, whatever the thread count. */
class DeterminismTest {
    private static final LabModelShape SHAPE = new LabModelShape(32, 2, 4, 2, 48);
    private static final TrainingData DATA = new TrainingData(5, new Suite("none", OptionalLong.empty(), Map.of()));

    private static Iterator<SuiteItem> pretraining() {
        Iterator<PretrainingExample> in = DATA.pretraining(0);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public SuiteItem next() {
                PretrainingExample e = in.next();
                return new SuiteItem(e.prompt(), e.answer());
            }
        };
    }

    private static LabWeights trainBase(int threads) {
        LabWeights w = LabWeights.initialized(SHAPE, 7);
        TrainingSettings s = new TrainingSettings(12 * 6 * 64, 5e-3, 6, 64, 3, 0.1, 0.1, 1.0, 0.9, 0.95, 0);
        try (Trainer t = Trainer.full(w, s, threads)) {
            t.run(new BatchPacker(pretraining(), 6, 64), TrainingListener.NONE);
        }
        return w;
    }

    private static LoraWeights trainAdapter(LabWeights base, int threads) {
        LoraWeights lora = LoraWeights.initialized(SHAPE, new LoraSettings(4, 8, EnumSet.allOf(Projection.class)), 9);
        TrainingSettings s = new TrainingSettings(12 * 5 * 64, 5e-3, 5, 64, 3, 0, 0.1, 1.0, 0.9, 0.95, 0.01);
        try (Trainer t = Trainer.lora(base, lora, s, threads)) {
            t.run(new BatchPacker(DATA.skill(LabSkills.byName("add"), 0), 5, 64), TrainingListener.NONE);
        }
        return lora;
    }

    private static void assertSame(List<NamedTensor> a, List<NamedTensor> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).values()).as(a.get(i).name()).containsExactly(a.get(i).values());
        }
    }

    @Test
    void oneTwoAndThreeThreadsTrainTheSameBaseAndAdapter() {
        LabWeights one = trainBase(1);
        LabWeights two = trainBase(2);
        LabWeights three = trainBase(3);
        assertSame(one.tensors(), two.tensors());
        assertSame(one.tensors(), three.tensors());
        // and training moved the weights
        assertThat(one.tensors().get(1).values()).isNotEqualTo(LabWeights.initialized(SHAPE, 7).tensors().get(1).values());
        assertSame(trainAdapter(one, 1).tensors(), trainAdapter(one, 2).tensors());
    }
}
