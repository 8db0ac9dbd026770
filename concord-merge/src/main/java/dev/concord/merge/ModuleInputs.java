package dev.concord.merge;

import dev.concord.adapter.LoraModule;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.TaskVector;
import java.util.List;

/**
 * Everything a method sees of one module: its name and shape, one entry per input adapter (in input order; an
 * adapter that does not target the module has no {@link LoraModule} here and contributes a zero task vector),
 * the resolved parameters, the seed, and the whole-model thresholds when the method asked for them.
 *
 * <p>Task vectors are read from the adapters' memory maps on first use and kept for the life of this object,
 * which is one module's merge: memory is bounded by one module's factors, not by the model.
 */
public final class ModuleInputs {
    private final String module;
    private final ModuleKind kind;
    private final boolean fanInFanOut;
    private final int rows;
    private final int cols;
    private final List<LoraModule> sources;
    private final double[] weights;
    private final ModuleParameters params;
    private final long seed;
    private final ModelScope modelScope;
    private final TaskVector[] cache;

    public ModuleInputs(String module, ModuleKind kind, boolean fanInFanOut, int rows, int cols,
            List<LoraModule> sources, double[] weights, ModuleParameters params, long seed, ModelScope modelScope) {
        if (sources.size() != weights.length) {
            throw new IllegalArgumentException(sources.size() + " sources but " + weights.length + " weights");
        }
        this.module = module;
        this.kind = kind;
        this.fanInFanOut = fanInFanOut;
        this.rows = rows;
        this.cols = cols;
        this.sources = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(sources));
        this.weights = weights.clone();
        this.params = params;
        this.seed = seed;
        this.modelScope = modelScope;
        this.cache = new TaskVector[sources.size()];
    }

    /** Inputs built from task vectors directly (tests, benchmarks): no LoRA modules behind them. */
    public static ModuleInputs ofTaskVectors(String module, List<TaskVector> taus, double[] weights,
            ModuleParameters params, long seed) {
        TaskVector first = taus.stream().filter(t -> t != null).findFirst().orElseThrow();
        ModuleInputs in = new ModuleInputs(module, ModuleKind.LINEAR, false, first.rows(), first.cols(),
                java.util.Collections.nCopies(taus.size(), null), weights, params, seed, null);
        for (int i = 0; i < taus.size(); i++) {
            in.cache[i] = taus.get(i);
        }
        return in;
    }

    public String module() {
        return module;
    }

    public ModuleKind kind() {
        return kind;
    }

    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    /** Rows of the update, in the base weight's stored orientation (see {@link LoraModule#taskVector()}). */
    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of input adapters (present here or not). */
    public int count() {
        return sources.size();
    }

    /** Whether adapter i targets this module. */
    public boolean present(int i) {
        return cache[i] != null || sources.get(i) != null;
    }

    /** The adapter's module (null when absent, or when inputs were given as task vectors). */
    public LoraModule source(int i) {
        return sources.get(i);
    }

    /** The task vector of adapter i, or null when it does not target this module. */
    public synchronized TaskVector taskVector(int i) {
        if (cache[i] == null && sources.get(i) != null) {
            cache[i] = sources.get(i).taskVector();
        }
        return cache[i];
    }

    /** The weight w_i of adapter i on this module. */
    public double weight(int i) {
        return weights[i];
    }

    public double[] weights() {
        return weights.clone();
    }

    public ModuleParameters params() {
        return params;
    }

    public long seed() {
        return seed;
    }

    /** Whole-model thresholds (only when the method asked for them), else null. */
    public ModelScope modelScope() {
        return modelScope;
    }

    /** The largest rank among the adapters that target this module. */
    public int maxInputRank() {
        int r = 0;
        for (int i = 0; i < count(); i++) {
            if (present(i)) {
                r = Math.max(r, sources.get(i) != null ? sources.get(i).rank() : taskVector(i).rank());
            }
        }
        return r;
    }
}
