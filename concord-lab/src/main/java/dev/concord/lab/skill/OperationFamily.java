package dev.concord.lab.skill;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A weighted set of operations on a skill's input, one of which is the skill itself: the noise model of the lab's
 * pretraining text. Weights sum to 1.
 */
public record OperationFamily(List<Member> members) {

    /** One operation with the probability of being drawn. {@code correct} marks the skill's own operation. */
    public record Member(String name, double weight, boolean correct, UnaryOperator<String> operation) {
        public Member {
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException("weight of '" + name + "' must be in (0, 1], got " + weight);
            }
        }
    }

    public OperationFamily {
        members = List.copyOf(members);
        double sum = members.stream().mapToDouble(Member::weight).sum();
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new IllegalArgumentException("weights must sum to 1, got " + sum);
        }
        if (members.stream().filter(Member::correct).count() != 1) {
            throw new IllegalArgumentException("exactly one member must be the correct operation");
        }
    }

    /** Applies a member drawn by weight. */
    public String noisyAnswer(String input, SeededRandom random) {
        double r = random.nextDouble();
        for (Member m : members) {
            r -= m.weight();
            if (r < 0) {
                return m.operation().apply(input);
            }
        }
        return members.getLast().operation().apply(input);
    }

    /** The weight of the correct operation. */
    public double correctWeight() {
        return members.stream().filter(Member::correct).findFirst().orElseThrow().weight();
    }

    /** The largest weight of any other operation. */
    public double largestWrongWeight() {
        return members.stream().filter(m -> !m.correct()).mapToDouble(Member::weight).max().orElse(0);
    }
}
