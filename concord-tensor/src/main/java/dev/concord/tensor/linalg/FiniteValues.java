package dev.concord.tensor.linalg;

import dev.concord.error.InvalidInputException;

/** The one check every entry point of this package makes before doing arithmetic: no NaN or infinity in the input. */
final class FiniteValues {
    private FiniteValues() {
    }

    /** Throws naming {@code what} and the first offending position of a row-major rows×cols array. */
    static void require(double[] data, int rows, int cols, String what) {
        for (int i = 0; i < rows * cols; i++) {
            if (!Double.isFinite(data[i])) {
                throw new InvalidInputException(what + " has a non-finite value " + data[i]
                        + " at [" + i / cols + ", " + i % cols + "]");
            }
        }
    }

    static void require(float[] data, int rows, int cols, String what) {
        for (int i = 0; i < rows * cols; i++) {
            if (!Float.isFinite(data[i])) {
                throw new InvalidInputException(what + " has a non-finite value " + data[i]
                        + " at [" + i / cols + ", " + i % cols + "]");
            }
        }
    }

    static void require(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new InvalidInputException(what + " must be finite, got " + value);
        }
    }
}
