package dev.concord.tensor.kernel;

/** The bounds check of the vector operations, done once per call so no index error escapes from a loop. */
final class ArrayRange {
    private ArrayRange() {}

    static void check(String name, float[] array, int offset, int length) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (offset < 0 || length < 0 || (long) offset + length > array.length) {
            throw new IllegalArgumentException(name + " range [" + offset + ", " + ((long) offset + length)
                    + ") is outside an array of " + array.length);
        }
    }
}
