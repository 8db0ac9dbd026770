package dev.concord.tensor.safetensors;

import dev.concord.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Name, element type and shape of a tensor to be written; its bytes come later, in order. A spec is checked when
 * it is made (non-empty name, non-negative dimensions, a byte size that fits in a long and fills whole bytes), so
 * that a writer never declares a header it could not honour. Specs are built by code, not parsed from users, so
 * a bad one is a programming error ({@link IllegalArgumentException}).
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tensor needs a non-empty name");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
        try {
            dtype.byteSize(numel(shape));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": " + dtype + Arrays.toString(shape)
                    + " has no whole byte size that fits in a long (" + e.getMessage() + ")");
        }
    }

    public static TensorSpec matrix(String name, DType dtype, long rows, long cols) {
        return new TensorSpec(name, dtype, new long[] {rows, cols});
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return dtype.byteSize(numel());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && s.name.equals(name) && s.dtype == dtype && Arrays.equals(s.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
