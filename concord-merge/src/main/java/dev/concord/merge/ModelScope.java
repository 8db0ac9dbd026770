package dev.concord.merge;

import dev.concord.merge.ops.MagnitudeCut;

/**
 * Thresholds computed over each adapter's whole task vector (the TIES paper's trim scope) instead of per tensor,
 * as seen from one module: for adapter i, {@code cuts[i]} judges elements by their index in the adapter's
 * flattened task vector (its modules in name order, each row-major), and {@code offsets[i]} is where this
 * module's first element sits in that flattening. Entries of adapters absent from the module are null / unused.
 */
public record ModelScope(MagnitudeCut[] cuts, long[] offsets) {
    public ModelScope {
        cuts = cuts.clone();
        offsets = offsets.clone();
    }

    public MagnitudeCut cut(int adapter) {
        return cuts[adapter];
    }

    public long offset(int adapter) {
        return offsets[adapter];
    }
}
