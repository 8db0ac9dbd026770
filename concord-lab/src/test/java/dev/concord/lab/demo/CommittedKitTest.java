package dev.concord.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.lab.eval.AdapterEvalFile;
import dev.concord.lab.eval.EvalOptions;
import dev.concord.lab.eval.LabEvaluator;
import dev.concord.lab.eval.SkillScore;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteReader;
import dev.concord.progress.Progress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit committed at lab-kit/ is what it says: every adapter scores exactly its recorded test accuracy, and the
 * suite is the one the generator makes from the recorded seed.
 */
class CommittedKitTest {
    static LabKit kit;
    static Suite suite;

    @BeforeAll
    static void open() {
        kit = LabKit.locate(Path.of("..", LabKit.DIRECTORY));
        suite = SuiteReader.read(kit.suite());
    }

    @Test
    void everyAdapterScoresItsRecordedTestAccuracy() {
        try (LabEvaluator evaluator = LabEvaluator.open(kit.base(), EvalOptions.defaults())) {
            for (String skill : suite.skills()) {
                Map<Split, AdapterEvalFile.Recorded> recorded = AdapterEvalFile.read(kit.adapter(skill));
                SkillScore measured = evaluator.evaluateAdapter(kit.requireAdapter(skill), suite,
                        skill, Progress.none()).get(Split.TEST);
                AdapterEvalFile.Recorded test = recorded.get(Split.TEST);
                assertThat(measured.items()).as(skill).isEqualTo(test.items());
                assertThat(measured.exactMatch()).as(skill).isEqualTo(test.exactMatch(),
                        org.assertj.core.data.Offset.offset(0.5 / test.items()));
            }
        }
    }

    @Test
    void theSuiteIsReproducibleFromItsSeed() {
        long seed = suite.seed().orElseThrow();
        Suite regenerated = new SuiteGenerator(seed, dev.concord.lab.suite.SuiteSizes.DEFAULT).generate();
        for (String skill : suite.skills()) {
            for (Split split : suite.splits(skill)) {
                assertThat(regenerated.items(skill, split)).as(skill + " " + split).isEqualTo(suite.items(skill, split));
            }
        }
    }
}
