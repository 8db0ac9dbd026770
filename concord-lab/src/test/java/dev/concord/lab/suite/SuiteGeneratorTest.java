package dev.concord.lab.suite;

import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.skill.Skill;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SuiteGeneratorTest {
    private static final Suite DEFAULT = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, SuiteSizes.DEFAULT).generate();

    @Test
    void sameSeedSameSuiteOtherSeedOtherSuite() {
        assertThat(new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, SuiteSizes.DEFAULT).generate()).isEqualTo(DEFAULT);
        Suite other = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED + 1, SuiteSizes.DEFAULT).generate();
        for (String skill : DEFAULT.skills()) {
            assertThat(other.items(skill, Split.TEST)).isNotEqualTo(DEFAULT.items(skill, Split.TEST));
        }
    }

    @Test
    void everySkillHasTheRequestedSplitSizes() {
        assertThat(DEFAULT.skills()).isEqualTo(LabSkills.names());
        for (String skill : DEFAULT.skills()) {
            assertThat(DEFAULT.splits(skill)).containsExactlyInAnyOrder(Split.TEST, Split.VALIDATION, Split.OOD);
            assertThat(DEFAULT.items(skill, Split.TEST)).hasSize(500);
            assertThat(DEFAULT.items(skill, Split.VALIDATION)).hasSize(200);
            assertThat(DEFAULT.items(skill, Split.OOD)).hasSize(200);
        }
    }

    @Test
    void splitsAreDisjointAndHoldNoDuplicates() {
        for (String skill : DEFAULT.skills()) {
            Set<String> all = new HashSet<>();
            int total = 0;
            for (Split split : DEFAULT.splits(skill)) {
                List<SuiteItem> items = DEFAULT.items(skill, split);
                items.forEach(i -> all.add(i.prompt()));
                total += items.size();
            }
            assertThat(all).as(skill).hasSize(total);
        }
    }

    @Test
    void itemsArePromptsOfTheSkillWithTheirCorrectAnswers() {
        for (Skill skill : LabSkills.all()) {
            for (Split split : DEFAULT.splits(skill.name())) {
                for (SuiteItem item : DEFAULT.items(skill.name(), split)) {
                    assertThat(item.prompt()).startsWith(skill.tag()).endsWith("\n");
                    String input = item.prompt().substring(skill.tag().length(), item.prompt().length() - 1);
                    assertThat(item.answer()).isEqualTo(skill.answer(input));
                }
            }
        }
    }

    @Test
    void eachSplitIsAPrefixOfItsStreamSoOtherSizesKeepIt() {
        Suite small = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, new SuiteSizes(500, 50, 20)).generate();
        for (String skill : DEFAULT.skills()) {
            assertThat(small.items(skill, Split.TEST)).isEqualTo(DEFAULT.items(skill, Split.TEST));
            assertThat(small.items(skill, Split.VALIDATION)).isEqualTo(DEFAULT.items(skill, Split.VALIDATION).subList(0, 50));
            assertThat(small.items(skill, Split.OOD)).isEqualTo(DEFAULT.items(skill, Split.OOD).subList(0, 20));
        }
    }

    @Test
    void outOfDistributionPromptsAreLongerOnAverage() {
        for (String skill : DEFAULT.skills()) {
            double test = DEFAULT.items(skill, Split.TEST).stream().mapToInt(i -> i.prompt().length()).average().orElseThrow();
            double ood = DEFAULT.items(skill, Split.OOD).stream().mapToInt(i -> i.prompt().length()).average().orElseThrow();
            assertThat(ood).as(skill).isGreaterThan(test * 1.3);
        }
    }
}
