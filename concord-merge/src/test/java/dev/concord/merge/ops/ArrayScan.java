package dev.concord.merge.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** A {@link ValueScan} over an in-memory array in fixed blocks, optionally visiting blocks in reverse order. */
record ArrayScan(float[] values, int block, boolean reverse) implements ValueScan {
    @Override
    public <A> List<A> pass(Supplier<A> fresh, BlockVisitor<A> visitor) {
        int blocks = (values.length + block - 1) / block;
        List<A> out = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            out.add(fresh.get());
        }
        for (int t = 0; t < blocks; t++) {
            int b = reverse ? blocks - 1 - t : t;
            int start = b * block;
            int len = Math.min(block, values.length - start);
            // a private copy: visitors must not rely on the buffer outliving the call
            float[] copy = java.util.Arrays.copyOfRange(values, start, start + len);
            visitor.visit(out.get(b), start, copy, 0, len);
        }
        return out;
    }
}
