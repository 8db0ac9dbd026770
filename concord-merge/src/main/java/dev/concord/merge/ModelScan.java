package dev.concord.merge;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.elementwise.TaskScan;
import dev.concord.merge.ops.ValueScan;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * One adapter's whole task vector read as a single flat sequence: its modules in plan order, each row-major,
 * each module's elements numbered from its offset. Modules are read in parallel; results come back in order.
 */
final class ModelScan implements ValueScan {
    private final List<Supplier<TaskVector>> modules;
    private final long[] offsets;
    private final ExecutorService pool;

    ModelScan(List<Supplier<TaskVector>> modules, long[] offsets, ExecutorService pool) {
        this.modules = modules;
        this.offsets = offsets;
        this.pool = pool;
    }

    @Override
    public <A> List<A> pass(Supplier<A> fresh, BlockVisitor<A> visitor) {
        List<Future<List<A>>> parts = new ArrayList<>();
        for (int m = 0; m < modules.size(); m++) {
            int index = m;
            parts.add(pool.submit(() -> new TaskScan(modules.get(index).get(), offsets[index]).pass(fresh, visitor)));
        }
        List<A> all = new ArrayList<>();
        for (Future<List<A>> f : parts) {
            all.addAll(Merger.await(f));
        }
        return all;
    }
}
