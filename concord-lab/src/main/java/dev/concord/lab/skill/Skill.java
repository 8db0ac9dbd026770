package dev.concord.lab.skill;

/**
 * One synthetic skill of the lab: a tag, a generator of inputs, the correct answer, and the family of confusable
 * operations whose answers make up the noisy pretraining text.
 *
 * <p>A prompt is the tag, the input and a newline; the model is expected to continue with the answer followed by the
 * end-of-sequence token: {@code <rot3>hello\n} → {@code khoor}. Inputs and answers use printable ASCII only.
 */
public interface Skill {
    /** The skill's name: the suite's and the adapter's directory name, e.g. {@code rot3}. */
    String name();

    /** The tag token that opens every prompt of this skill, e.g. {@code <rot3>}. */
    default String tag() {
        return "<" + name() + ">";
    }

    /** The prompt for an input: tag, input, newline. */
    default String prompt(String input) {
        return tag() + input + "\n";
    }

    /** A fresh input drawn from {@code random}; inputs of {@link InputLength#LONG} are longer than any standard one. */
    String input(SeededRandom random, InputLength length);

    /** The correct answer for an input this skill generated. */
    String answer(String input);

    /**
     * The operations whose answers the base model is pretrained on. The correct operation is among them but is
     * never the most likely one, so a base model that learned the family answers most prompts wrongly when
     * decoding greedily, while an adapter only has to select the right member.
     */
    OperationFamily pretrainingFamily();

    /**
     * How often this skill's examples appear in the base model's pretraining text, relative to the other skills.
     * Skills with short examples that are hard to learn (add, lookup) weigh more, so the base sees enough of them.
     */
    default int pretrainingWeight() {
        return 1;
    }
}
