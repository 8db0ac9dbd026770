package dev.concord.lab.build;

import dev.concord.lab.skill.InputLength;
import dev.concord.lab.skill.OperationFamily;
import dev.concord.lab.skill.SeededRandom;
import dev.concord.lab.skill.Skill;

/** A lab skill with another pretraining weight (a recipe's mixture); everything else is the skill's own. */
record ReweightedSkill(Skill skill, int weight) implements Skill {
    @Override
    public String name() {
        return skill.name();
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        return skill.input(random, length);
    }

    @Override
    public String answer(String input) {
        return skill.answer(input);
    }

    @Override
    public OperationFamily pretrainingFamily() {
        return skill.pretrainingFamily();
    }

    @Override
    public int pretrainingWeight() {
        return weight;
    }
}
