package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One evaluation: a composition on some skills of a suite.
 *
 * @param composition what runs on top of the base model
 * @param suite       the held-out suite
 * @param split       which split of each skill (test, validation or ood)
 * @param skills      the skills to score, in this order; empty for every skill of the suite
 * @param limit       at most this many items per skill (the first ones of the split); 0 for all
 * @param control     whether to measure the base model's control perplexity
 * @param normalize   whether to compute normalized accuracy against each skill's own adapter (ignored for the
 *                    base model alone)
 */
public record EvalRequest(Composition composition, Suite suite, Split split, List<String> skills, int limit,
        boolean control, boolean normalize) {
    public EvalRequest {
        if (composition == null || suite == null || split == null) {
            throw new IllegalArgumentException("an evaluation needs a composition, a suite and a split");
        }
        if (split == Split.TRAIN) {
            throw new InvalidInputException("--split train: evaluation scores held-out data (test, validation or ood)");
        }
        if (limit < 0) {
            throw new InvalidInputException("--limit must be at least 1, got " + limit);
        }
        skills = List.copyOf(skills);
        Set<String> seen = new HashSet<>();
        for (String s : skills) {
            if (!seen.add(s)) {
                throw new InvalidInputException("--skills lists '" + s + "' twice");
            }
        }
    }

    /** Every skill, every item, with control and normalization. */
    public static EvalRequest of(Composition composition, Suite suite, Split split) {
        return new EvalRequest(composition, suite, split, List.of(), 0, true, true);
    }

    public EvalRequest withSkills(List<String> names) {
        return new EvalRequest(composition, suite, split, names, limit, control, normalize);
    }

    public EvalRequest withLimit(int perSkill) {
        return new EvalRequest(composition, suite, split, skills, perSkill, control, normalize);
    }

    public EvalRequest withControl(boolean on) {
        return new EvalRequest(composition, suite, split, skills, limit, on, normalize);
    }

    public EvalRequest withNormalize(boolean on) {
        return new EvalRequest(composition, suite, split, skills, limit, control, on);
    }

    /** The skills this request scores, in order: the given ones (checked against the suite) or all. */
    public List<String> resolvedSkills() {
        if (skills.isEmpty()) {
            return suite.skills();
        }
        return suite.select(skills).skills();
    }
}
