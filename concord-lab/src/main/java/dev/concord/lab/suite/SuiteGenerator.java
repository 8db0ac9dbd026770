package dev.concord.lab.suite;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.skill.InputLength;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.lab.skill.Skill;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Generates the lab's evaluation suite from a seed. For each skill, distinct standard inputs are drawn from the
 * stream {@code (seed, skill, "heldout")}: the first {@code test} become the test split, the next {@code validation}
 * the validation split; distinct long inputs from {@code (seed, skill, "ood")} become the OOD split. Each split is a
 * prefix of its stream, so changing one size leaves the other splits' items unchanged; the splits are disjoint by
 * construction, and {@link TrainingData} never yields a held-out input.
 */
public final class SuiteGenerator {
    /** The seed of the lab's committed suite. */
    public static final long DEFAULT_SEED = 1234;
    /** Consecutive repeated draws after which a skill is deemed unable to supply more distinct inputs. */
    static final int MAX_REPEATS = 10_000;

    private final long seed;
    private final SuiteSizes sizes;
    private final List<Skill> skills;

    public SuiteGenerator(long seed, SuiteSizes sizes) {
        this(seed, sizes, LabSkills.all());
    }

    public SuiteGenerator(long seed, SuiteSizes sizes, List<Skill> skills) {
        this.seed = seed;
        this.sizes = sizes;
        this.skills = List.copyOf(skills);
    }

    public Suite generate() {
        Map<String, Map<Split, List<SuiteItem>>> all = new LinkedHashMap<>();
        for (Skill skill : skills) {
            Set<String> seen = new HashSet<>();
            List<String> heldOut = distinctInputs(skill, InputLength.STANDARD, "heldout",
                    sizes.test() + sizes.validation(), seen);
            List<String> ood = distinctInputs(skill, InputLength.LONG, "ood", sizes.ood(), seen);
            Map<Split, List<SuiteItem>> splits = new EnumMap<>(Split.class);
            splits.put(Split.TEST, items(skill, heldOut.subList(0, sizes.test())));
            splits.put(Split.VALIDATION, items(skill, heldOut.subList(sizes.test(), heldOut.size())));
            splits.put(Split.OOD, items(skill, ood));
            all.put(skill.name(), splits);
        }
        return new Suite("generated from seed " + seed, OptionalLong.of(seed), all);
    }

    private List<String> distinctInputs(Skill skill, InputLength length, String stream, int count, Set<String> seen) {
        SeededRandom random = SeededRandom.of(seed, skill.name(), stream);
        List<String> out = new ArrayList<>(count);
        int repeats = 0;
        while (out.size() < count) {
            String input = skill.input(random, length);
            if (seen.add(input)) {
                out.add(input);
                repeats = 0;
            } else if (++repeats > MAX_REPEATS) {
                throw new InvalidInputException("skill '" + skill.name() + "' cannot supply " + count + " distinct "
                        + stream + " inputs (stuck at " + out.size() + ")");
            }
        }
        return out;
    }

    private static List<SuiteItem> items(Skill skill, List<String> inputs) {
        return inputs.stream().map(x -> new SuiteItem(skill.prompt(x), skill.answer(x))).toList();
    }
}
