package dev.concord.lab.skill;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OperationFamilyTest {
    @Test
    void everyFamilyHoldsTheSkillButNeverAsItsMode() {
        for (Skill s : LabSkills.all()) {
            OperationFamily f = s.pretrainingFamily();
            assertThat(f.correctWeight()).as(s.name()).isLessThan(f.largestWrongWeight());
            OperationFamily.Member correct = f.members().stream().filter(OperationFamily.Member::correct)
                    .findFirst().orElseThrow();
            OperationFamily.Member mode = f.members().stream()
                    .max((a, b) -> Double.compare(a.weight(), b.weight())).orElseThrow();
            SeededRandom r = SeededRandom.of(5, s.name());
            for (int i = 0; i < 500; i++) {
                String input = s.input(r, InputLength.STANDARD);
                assertThat(correct.operation().apply(input)).isEqualTo(s.answer(input));
                // the family's most likely answer is always wrong: greedy decoding of a base that learned the
                // family exactly scores zero on the skill
                assertThat(mode.operation().apply(input)).as("%s on %s", s.name(), input).isNotEqualTo(s.answer(input));
            }
        }
    }

    @Test
    void rot3AndUnrot3ShareOneFamilyOfShifts() {
        OperationFamily rot = LabSkills.byName("rot3").pretrainingFamily();
        OperationFamily unrot = LabSkills.byName("unrot3").pretrainingFamily();
        assertThat(rot.members()).extracting(OperationFamily.Member::name, OperationFamily.Member::weight)
                .isEqualTo(unrot.members().stream().map(m -> org.assertj.core.groups.Tuple.tuple(m.name(), m.weight()))
                        .toList());
        assertThat(rot.members().stream().filter(OperationFamily.Member::correct).findFirst().orElseThrow().name())
                .isEqualTo("shift+3");
        assertThat(unrot.members().stream().filter(OperationFamily.Member::correct).findFirst().orElseThrow().name())
                .isEqualTo("shift-3");
    }

    @Test
    void noisyAnswersFollowTheWeights() {
        OperationFamily f = new OperationFamily(List.of(
                new OperationFamily.Member("a", 0.5, false, x -> "a"),
                new OperationFamily.Member("b", 0.3, true, x -> "b"),
                new OperationFamily.Member("c", 0.2, false, x -> "c")));
        SeededRandom r = SeededRandom.of(11);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            counts.merge(f.noisyAnswer("x", r), 1, Integer::sum);
        }
        assertThat(counts.get("a") / 20_000.0).isBetween(0.48, 0.52);
        assertThat(counts.get("b") / 20_000.0).isBetween(0.28, 0.32);
        assertThat(counts.get("c") / 20_000.0).isBetween(0.18, 0.22);
    }

    @Test
    void refusesMalformedFamilies() {
        assertThatThrownBy(() -> new OperationFamily(List.of(new OperationFamily.Member("a", 0.5, true, x -> x))))
                .hasMessageContaining("sum to 1");
        assertThatThrownBy(() -> new OperationFamily(List.of(new OperationFamily.Member("a", 0.5, false, x -> x),
                new OperationFamily.Member("b", 0.5, false, x -> x)))).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new OperationFamily.Member("a", 0, true, x -> x)).hasMessageContaining("(0, 1]");
    }
}
