package dev.concord.merge.elementwise;

/**
 * What happens to one adapter's task vector on one module before the stack is combined: magnitude trim, DARE's
 * random drop, Breadcrumbs' band, DELLA's ranked drop. Made per adapter and module; {@link #prepare} fixes every
 * threshold, norm and mask key, after which {@link #apply} is a pure function of the block, so blocks can be
 * produced again and again (several SVD passes) with identical values.
 */
public interface Sparsifier {
    /** Passes over this adapter's values before any block is applied (thresholds, norms). */
    default void prepare(TaskScan scan) {}

    /** In place on rows [rowStart, rowStart + rowCount) held row-major in {@code block} ({@code cols} wide). */
    void apply(float[] block, int rowStart, int rowCount, int cols);

    /** Leaves the task vector as it is (a density of 1 in PEFT's {@code prune}). */
    Sparsifier IDENTITY = (block, rowStart, rowCount, cols) -> {};
}
