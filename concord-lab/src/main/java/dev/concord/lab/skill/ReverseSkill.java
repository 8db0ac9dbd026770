package dev.concord.lab.skill;

/** {@code reverse}: the input backwards ({@code abcc} → {@code ccba}). Inputs are never palindromes. */
public final class ReverseSkill implements Skill {
    @Override
    public String name() {
        return "reverse";
    }

    @Override
    public String input(SeededRandom random, InputLength length) {
        while (true) {
            String s = LetterListFamily.lettersWithRepeat(random, length);
            if (!s.equals(LetterListFamily.reverse(s))) {
                return s;
            }
        }
    }

    @Override
    public String answer(String input) {
        return LetterListFamily.reverse(input);
    }

    @Override
    public OperationFamily pretrainingFamily() {
        return LetterListFamily.family("reverse");
    }
}
