package dev.concord.lab.suite;

import dev.concord.error.InvalidInputException;

/** How many items a generated suite holds per skill and split. */
public record SuiteSizes(int test, int validation, int ood) {
    /** The lab's default: 500 test, 200 validation and 200 out-of-distribution items per skill. */
    public static final SuiteSizes DEFAULT = new SuiteSizes(500, 200, 200);

    public SuiteSizes {
        if (test < 1 || validation < 1 || ood < 1) {
            throw new InvalidInputException("every split needs at least one item: " + test + ", " + validation
                    + ", " + ood);
        }
    }
}
