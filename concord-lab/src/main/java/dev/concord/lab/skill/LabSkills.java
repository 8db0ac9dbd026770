package dev.concord.lab.skill;

import dev.concord.error.InvalidInputException;

import java.util.List;

/** The lab's eight skills, in their canonical order (the order of tags in the vocabulary and of suite listings). */
public final class LabSkills {
    private LabSkills() {}

    private static final List<Skill> ALL = List.of(new JsonSkill(), CaesarSkill.rot3(), CaesarSkill.unrot3(),
            new SortSkill(), new DedupSkill(), new ReverseSkill(), new AddSkill(), new LookupSkill());

    public static List<Skill> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Skill::name).toList();
    }

    /** The skill named {@code name}; an unknown name is bad input. */
    public static Skill byName(String name) {
        for (Skill s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new InvalidInputException("unknown lab skill '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
}
