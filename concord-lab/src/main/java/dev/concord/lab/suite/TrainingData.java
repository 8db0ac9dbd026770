package dev.concord.lab.suite;

import dev.concord.lab.skill.InputLength;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.skill.OperationFamily;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.lab.skill.Skill;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Endless, seeded streams of training examples that never repeat a held-out prompt of the suite: clean examples of
 * one skill for its adapter, and noisy examples of all skills for the base model's pretraining.
 *
 * <p>Streams: {@code (seed, skill, "train", stream)} for a skill, {@code (seed, "pretrain", stream)} for the base
 * (each example: a skill drawn in proportion to its {@link Skill#pretrainingWeight() weight}, an input, then an
 * answer drawn from the skill's {@link Skill#pretrainingFamily() family}).
 */
public final class TrainingData {
    private final long seed;
    private final List<Skill> skills;
    private final Map<String, Set<String>> heldOutPrompts = new HashMap<>();
    private final Map<String, OperationFamily> families = new HashMap<>();
    private final int totalWeight;

    /** Streams for the lab's skills, excluding every prompt of every split of {@code heldOut}. */
    public TrainingData(long seed, Suite heldOut) {
        this(seed, heldOut, LabSkills.all());
    }

    public TrainingData(long seed, Suite heldOut, List<Skill> skills) {
        this.seed = seed;
        this.skills = List.copyOf(skills);
        this.totalWeight = skills.stream().mapToInt(Skill::pretrainingWeight).sum();
        if (skills.stream().anyMatch(s -> s.pretrainingWeight() < 1)) {
            throw new IllegalArgumentException("every skill needs a pretraining weight of at least 1");
        }
        for (Skill skill : skills) {
            Set<String> prompts = new HashSet<>();
            if (heldOut.hasSkill(skill.name())) {
                for (Split split : heldOut.splits(skill.name())) {
                    heldOut.items(skill.name(), split).forEach(item -> prompts.add(item.prompt()));
                }
            }
            heldOutPrompts.put(skill.name(), prompts);
            families.put(skill.name(), skill.pretrainingFamily());
        }
    }

    /** Correct examples of {@code skill}; different {@code stream} numbers give independent streams. */
    public Iterator<SuiteItem> skill(Skill skill, long stream) {
        SeededRandom random = SeededRandom.of(seed, skill.name(), "train", Long.toString(stream));
        Set<String> excluded = heldOutPrompts.getOrDefault(skill.name(), Set.of());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public SuiteItem next() {
                while (true) {
                    String input = skill.input(random, InputLength.STANDARD);
                    String prompt = skill.prompt(input);
                    if (!excluded.contains(prompt)) {
                        return new SuiteItem(prompt, skill.answer(input));
                    }
                }
            }
        };
    }

    private Skill weightedSkill(SeededRandom random) {
        int r = random.nextInt(totalWeight);
        for (Skill s : skills) {
            r -= s.pretrainingWeight();
            if (r < 0) {
                return s;
            }
        }
        throw new IllegalStateException("weights changed while drawing");
    }

    /** Noisy examples of all skills, interleaved. */
    public Iterator<PretrainingExample> pretraining(long stream) {
        SeededRandom random = SeededRandom.of(seed, "pretrain", Long.toString(stream));
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public PretrainingExample next() {
                while (true) {
                    Skill skill = weightedSkill(random);
                    String input = skill.input(random, InputLength.STANDARD);
                    String prompt = skill.prompt(input);
                    if (!heldOutPrompts.get(skill.name()).contains(prompt)) {
                        return new PretrainingExample(skill.name(), prompt,
                                families.get(skill.name()).noisyAnswer(input, random));
                    }
                }
            }
        };
    }
}
