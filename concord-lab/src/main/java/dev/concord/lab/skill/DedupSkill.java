package dev.concord.lab.skill;

/**
 * {@code dedup}: the input with repeated letters removed, first occurrences kept in order ({@code abacb} →
 * {@code abc}). Every input repeats a letter, so the answer always differs from the input.
 */
public final class DedupSkill implements Skill {
    @Override
    public String name() {
        return "dedup";
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        return LetterListFamily.lettersWithRepeat(random, length);
    }

    @Override
    public String answer(String input) {
        return LetterListFamily.dedup(input);
    }

    @Override
    public OperationFamily pretrainingFamily() {
        return LetterListFamily.family("dedup");
    }
}
