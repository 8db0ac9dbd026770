package dev.concord.merge;

import dev.concord.adapter.LoraModule;
import dev.concord.adapter.TaskVector;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.TopMagnitudeSelection;
import dev.concord.progress.Progress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs a merge as a stream of modules: {@link #plan} resolves and checks every module's parameters up front
 * (nothing is computed, nothing written); {@link #run} merges modules on a pool of worker threads — each module
 * entirely on one thread, so results never depend on the thread count — and hands them to the output strictly in
 * plan order. At most threads + 1 modules are in flight, so memory is bounded by a few modules whatever the
 * size of the model.
 */
public final class Merger {
    /** Where merged modules go. */
    public interface Output<T> {
        /**
         * Runs on a worker thread: turns a module's result into what will be written (factors truncated by SVD,
         * a densified block, …). Heavy work belongs here so that it runs in parallel.
         */
        T finish(ModuleInputs module, ModuleResult result);

        /** Runs on the thread that called {@link #run}, once per module, in plan order. */
        void write(ModuleInputs module, T finished);
    }

    private final MergeMethod method;
    private final ParameterSource source;
    private final long seed;
    private final int threads;
    private final Progress progress;

    public Merger(MergeMethod method, ParameterSource source, long seed, int threads, Progress progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive");
        }
        this.method = method;
        this.source = source;
        this.seed = seed;
        this.threads = threads;
        this.progress = progress;
    }

    public MergeMethod method() {
        return method;
    }

    /**
     * Resolves and checks every module's parameters and weights, in the given module order.
     *
     * @throws InvalidInputException on the first bad value, naming the module
     */
    public List<ModulePlan> plan(MergeInputs inputs, List<String> order) {
        int n = inputs.inputs().size();
        List<ModulePlan> plans = new ArrayList<>();
        for (String name : order) {
            MergeInputs.ModuleSlot slot = inputs.modules().get(name);
            double t = inputs.depth(slot);
            ModuleParameters params = ModuleParameters.resolve(method, source, name, t, n);
            method.check(params, name);
            double[] weights = new double[n];
            for (int i = 0; i < n; i++) {
                weights[i] = weight(i, name, t);
            }
            if (method.requiresEqualRanks()) {
                requireEqualRanks(inputs, slot);
            }
            plans.add(new ModulePlan(slot, t, params, weights));
        }
        return plans;
    }

    private double weight(int adapter, String module, double t) {
        Object raw = source.value("weight", adapter, module, t).orElse(1.0);
        ParameterDef def = new ParameterDef("weight", "--adapter PATH:WEIGHT", true,
                new ParameterDef.NumberKind(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY, false), 1.0,
                "weight of the adapter");
        return (Double) def.kind().accept(raw, source.label(def, adapter) + " (module " + module + ")");
    }

    private void requireEqualRanks(MergeInputs inputs, MergeInputs.ModuleSlot slot) {
        LoraModule first = null;
        int firstIndex = -1;
        for (int i = 0; i < slot.sources().size(); i++) {
            LoraModule m = slot.sources().get(i);
            if (m == null) {
                continue;
            }
            if (first == null) {
                first = m;
                firstIndex = i;
            } else if (m.rank() != first.rank()) {
                throw new InvalidInputException(method.name() + " merges the A and B factors separately, so (like PEFT's "
                        + "add_weighted_adapter) it needs adapters of equal rank: module " + slot.name() + " has rank "
                        + first.rank() + " in " + inputs.inputs().get(firstIndex).spelling() + " but " + m.rank() + " in "
                        + inputs.inputs().get(i).spelling() + " (use linear or cat for different ranks)");
            }
        }
    }

    /** Merges every planned module and writes it through {@code output}, in plan order. */
    public <T> void run(List<ModulePlan> plans, Output<T> output) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "concord-merge");
            th.setDaemon(true);
            return th;
        });
        try {
            ModelScopes scopes = modelScopes(plans, pool);
            try (Progress.Task task = progress.start("merge " + method.name(), plans.size())) {
                Deque<Future<T>> inFlight = new ArrayDeque<>();
                List<ModuleInputs> inputs = new ArrayList<>();
                for (ModulePlan p : plans) {
                    inputs.add(inputs(p, scopes));
                }
                int next = 0;
                for (int written = 0; written < plans.size(); written++) {
                    while (next < plans.size() && next <= written + threads) {
                        ModuleInputs in = inputs.get(next);
                        inFlight.add(pool.submit(() -> output.finish(in, method.merge(in))));
                        next++;
                    }
                    T done = await(inFlight.removeFirst());
                    output.write(inputs.get(written), done);
                    inputs.set(written, null);
                    task.step();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private ModuleInputs inputs(ModulePlan p, ModelScopes scopes) {
        MergeInputs.ModuleSlot s = p.slot();
        ModelScope scope = scopes == null ? null : scopes.forModule(p.name());
        return new ModuleInputs(s.name(), s.kind(), s.fanInFanOut(), s.rows(), s.cols(), s.sources(), p.weights(),
                p.params(), seed, scope);
    }

    /** Whole-model cuts for trim_scope model: one top-k selection per adapter over all its modules. */
    private ModelScopes modelScopes(List<ModulePlan> plans, ExecutorService pool) {
        if (plans.isEmpty() || !method.needsModelScope(plans.getFirst().params())) {
            return null;
        }
        int n = plans.getFirst().weights().length;
        ModelScopes scopes = new ModelScopes(n);
        try (Progress.Task task = progress.start("model-wide thresholds", n)) {
            for (int i = 0; i < n; i++) {
                int adapter = i;
                List<Supplier<TaskVector>> modules = new ArrayList<>();
                List<Long> offsets = new ArrayList<>();
                long numel = 0;
                double density = Double.NaN;
                for (ModulePlan p : plans) {
                    LoraModule m = p.slot().sources().get(adapter);
                    if (m == null) {
                        continue;
                    }
                    double d = p.params().number("density", adapter);
                    if (!Double.isNaN(density) && d != density) {
                        throw new InvalidInputException("trim_scope model needs one density per adapter, but adapter "
                                + adapter + " has " + Numbers.format(density) + " and " + Numbers.format(d)
                                + " (module " + p.name() + ")");
                    }
                    density = d;
                    scopes.offsets.get(adapter).put(p.name(), numel);
                    offsets.add(numel);
                    modules.add(m::taskVector);
                    numel += (long) m.deltaRows() * m.deltaCols();
                }
                if (modules.isEmpty()) {
                    continue;
                }
                long k = MagnitudeCut.keepCount(density, numel);
                ModelScan scan = new ModelScan(modules, offsets.stream().mapToLong(Long::longValue).toArray(), pool);
                scopes.cuts[adapter] = density >= 1 ? MagnitudeCut.KEEP_ALL
                        : new TopMagnitudeSelection().select(scan, numel, k, null);
                task.step();
            }
        }
        return scopes;
    }

    /** Cuts per adapter and each module's offset in each adapter's flattening. */
    private static final class ModelScopes {
        final MagnitudeCut[] cuts;
        final List<java.util.Map<String, Long>> offsets = new ArrayList<>();

        ModelScopes(int n) {
            cuts = new MagnitudeCut[n];
            for (int i = 0; i < n; i++) {
                offsets.add(new java.util.HashMap<>());
            }
        }

        ModelScope forModule(String module) {
            long[] off = new long[cuts.length];
            for (int i = 0; i < cuts.length; i++) {
                off[i] = offsets.get(i).getOrDefault(module, -1L);
            }
            return new ModelScope(cuts, off);
        }
    }

    /** Waits for a worker and rethrows its failure as it was thrown. */
    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConcordException("merge interrupted", e);
        } catch (CancellationException e) {
            throw new ConcordException("merge cancelled", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new ConcordException("merge failed: " + c, c);
        }
    }
}
