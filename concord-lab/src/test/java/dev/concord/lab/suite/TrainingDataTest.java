package dev.concord.lab.suite;

import dev.concord.lab.skill.InputLength;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.skill.OperationFamily;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.lab.skill.Skill;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingDataTest {
    /** A skill with only 20 standard inputs, so that a stream that failed to skip held-out ones would hit them. */
    private static final Skill TINY = new Skill() {
        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public String input(SeededRandom random, InputLength length) {
            return Integer.toString(length == InputLength.LONG ? 100 + random.nextInt(20) : random.nextInt(20));
        }

        @Override
        public String answer(String input) {
            return input + input;
        }

        @Override
        public OperationFamily pretrainingFamily() {
            return new OperationFamily(List.of(new OperationFamily.Member("double", 0.4, true, this::answer),
                    new OperationFamily.Member("copy", 0.6, false, s -> s)));
        }
    };

    @Test
    void trainingStreamsNeverYieldAHeldOutPrompt() {
        Suite suite = new SuiteGenerator(9, new SuiteSizes(10, 5, 3), List.of(TINY)).generate();
        Set<String> heldOut = new HashSet<>();
        for (Split split : suite.splits("tiny")) {
            suite.items("tiny", split).forEach(i -> heldOut.add(i.prompt()));
        }
        TrainingData data = new TrainingData(9, suite, List.of(TINY));
        Iterator<SuiteItem> stream = data.skill(TINY, 0);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            SuiteItem item = stream.next();
            assertThat(heldOut).doesNotContain(item.prompt());
            seen.add(item.prompt());
        }
        assertThat(seen).hasSize(5); // the 20 inputs minus the 15 held out
        Iterator<PretrainingExample> pre = data.pretraining(0);
        for (int i = 0; i < 500; i++) {
            assertThat(heldOut).doesNotContain(pre.next().prompt());
        }
    }

    @Test
    void streamsAreReproducibleAndIndependentByNumber() {
        Suite suite = new SuiteGenerator(1, new SuiteSizes(20, 10, 10)).generate();
        TrainingData data = new TrainingData(1, suite);
        Skill rot3 = LabSkills.byName("rot3");
        List<SuiteItem> a = take(data.skill(rot3, 0), 50);
        assertThat(take(new TrainingData(1, suite).skill(rot3, 0), 50)).isEqualTo(a);
        assertThat(take(data.skill(rot3, 1), 50)).isNotEqualTo(a);
        for (SuiteItem item : a) {
            String input = item.prompt().substring(rot3.tag().length(), item.prompt().length() - 1);
            assertThat(item.answer()).isEqualTo(rot3.answer(input));
        }
    }

    @Test
    void pretrainingMixesAllSkillsWithNoisyAnswersFromTheirFamilies() {
        Suite suite = new SuiteGenerator(1, new SuiteSizes(20, 10, 10)).generate();
        Iterator<PretrainingExample> stream = new TrainingData(1, suite).pretraining(0);
        Map<String, Integer> perSkill = new HashMap<>();
        Map<String, Integer> correct = new HashMap<>();
        for (int i = 0; i < 8000; i++) {
            PretrainingExample ex = stream.next();
            Skill skill = LabSkills.byName(ex.skill());
            String input = ex.prompt().substring(skill.tag().length(), ex.prompt().length() - 1);
            assertThat(ex.prompt()).isEqualTo(skill.prompt(input));
            List<String> possible = skill.pretrainingFamily().members().stream()
                    .map(m -> m.operation().apply(input)).toList();
            assertThat(possible).contains(ex.answer());
            perSkill.merge(ex.skill(), 1, Integer::sum);
            if (ex.answer().equals(skill.answer(input))) {
                correct.merge(ex.skill(), 1, Integer::sum);
            }
        }
        assertThat(perSkill.keySet()).containsExactlyInAnyOrderElementsOf(LabSkills.names());
        int totalWeight = LabSkills.all().stream().mapToInt(Skill::pretrainingWeight).sum();
        for (String skill : LabSkills.names()) {
            double expected = 8000.0 * LabSkills.byName(skill).pretrainingWeight() / totalWeight;
            assertThat((double) perSkill.get(skill)).as(skill).isBetween(expected * 0.85, expected * 1.15);
            double rate = correct.getOrDefault(skill, 0) / (double) perSkill.get(skill);
            double weight = LabSkills.byName(skill).pretrainingFamily().correctWeight();
            // other members occasionally coincide with the right answer, never the reverse
            assertThat(rate).as(skill).isGreaterThan(weight - 0.05).isLessThan(weight + 0.15);
        }
    }

    private static <T> List<T> take(Iterator<T> it, int n) {
        List<T> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(it.next());
        }
        return out;
    }
}
