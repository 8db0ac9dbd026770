package dev.concord.lab.skill;

/** {@code sort}: the input's letters in ascending order ({@code dbca} → {@code abcd}). Inputs are never sorted already. */
public final class SortSkill implements Skill {
    @Override
    public String name() {
        return "sort";
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        while (true) {
            String s = LetterListFamily.lettersWithRepeat(random, length);
            if (!s.equals(LetterListFamily.sort(s))) {
                return s;
            }
        }
    }

    @Override
    public String answer(String input) {
        return LetterListFamily.sort(input);
    }

    @Override
    public OperationFamily pretrainingFamily() {
        return LetterListFamily.family("sort");
    }
}
