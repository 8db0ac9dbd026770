package dev.concord.merge.ops;

import java.util.List;
import java.util.function.Supplier;

/**
 * One read of every element of a tensor (or of several tensors laid end to end), in blocks. A scan may visit
 * blocks concurrently and in any order, but it must cut the elements into the same blocks every time and return
 * the per-block results in element order: that is what makes reductions over a scan independent of the number
 * of threads.
 */
@FunctionalInterface
public interface ValueScan {
    /**
     * Visits every element once. {@code fresh} makes one accumulator per block; the visitor sees the block's
     * values (in a buffer it must not keep) and the flat index of the first one.
     *
     * @return the accumulators, in element order
     */
    <A> List<A> pass(Supplier<A> fresh, BlockVisitor<A> visitor);

    @FunctionalInterface
    interface BlockVisitor<A> {
        void visit(A accumulator, long firstIndex, float[] values, int offset, int length);
    }
}
