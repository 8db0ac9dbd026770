package dev.concord.lab.calibrate;

import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.MergeInputs;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.ParameterSource;
import dev.concord.lab.eval.DeltaFold;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DAREx-q's label-free choice of q (Deng et al., "DARE the Extreme", ICLR 2025): the q whose pruned merge changes
 * the model's last-layer outputs least, on a batch of unlabeled prompts, relative to the same adapters merged
 * without the drop.
 *
 * <p>Concretely, for {@code darex} and {@code darex_ties} with the user's parameters and seed:
 * <ul>
 * <li>reference: the same merge with density 1 and q = 1 (nothing dropped, nothing rescaled), added to the base;
 *     its logits z_ref at every position of every prompt;</li>
 * <li>objective J(q) = mean over positions and vocabulary entries of (z_q − z_ref)², z_q the logits of the base
 *     plus the pruned merge with survivors times 1/q;</li>
 * <li>q = argmin J over [density, 1] ({@link QSearch}: a 9-point grid including both ends, then golden-section
 *     refinement around the best grid point).</li>
 * </ul>
 * The drop's masks do not depend on q, and with one q for all adapters both methods are homogeneous in 1/q (TIES'
 * sign election and disjoint mean scale with their inputs), so the pruned merge is computed once, at q = 1, and
 * each candidate is the base plus (1/q) times it. Everything is deterministic: the same inputs, seed and prompts
 * give the same q whatever the thread count.
 *
 * <p>The merged update is held densely in memory (float32) together with one candidate model, so this is meant for
 * models of up to a few billion parameters; it refuses up front when the heap is too small.
 */
public final class DarexCalibration {
    /** The methods whose q this chooses. */
    public static final Set<String> METHODS = Set.of("darex", "darex_ties");

    private DarexCalibration() {}

    /**
     * Chooses q for a DAREx merge of {@code adapters}.
     *
     * @param parameters the merge's parameters; any value given for q is ignored (this chooses it)
     * @param baseModel  the base model the adapters were trained on (config.json, safetensors, tokenizer.json)
     * @param calibrationFile unlabeled prompts, see {@link CalibrationPrompts}
     * @param threads    merge workers and inference threads; the result does not depend on it
     * @throws InvalidInputException for another method, a missing or unusable base model, a bad prompt file
     * @throws ResourceException     if the merged update and the logits do not fit in the heap
     */
    public static QChoice chooseQ(MergeMethod method, List<AdapterInput> adapters, ParameterSource parameters,
            long seed, int threads, Path baseModel, Path calibrationFile, Progress progress) {
        if (!METHODS.contains(method.name())) {
            throw new InvalidInputException("--q auto chooses DAREx's rescale: use it with --method darex or"
                    + " darex_ties, not " + method.name());
        }
        if (!Files.isDirectory(baseModel)) {
            throw new InvalidInputException(baseModel + ": " + (Files.exists(baseModel) ? "not a directory" : "no such"
                    + " directory") + " (--base takes the base model the adapters were trained on)");
        }
        Path tokenizerFile = baseModel.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new InvalidInputException(baseModel + ": no tokenizer.json (--q auto tokenizes the calibration"
                    + " prompts with the base model's tokenizer)");
        }
        List<CalibrationPrompt> prompts = CalibrationPrompts.read(calibrationFile);
        Tokenizer tokenizer = Tokenizer.load(tokenizerFile);
        try (ModelWeights base = ModelWeights.load(baseModel)) {
            List<int[]> tokens = tokenize(prompts, tokenizer, base);
            LogitProbe probe = new LogitProbe(tokens, EngineOptions.defaults().withThreads(threads));
            requireHeap(adapters, (long) probe.tokens() * base.config().vocabSize());

            MergedDelta unpruned = MergedDelta.compute(method, adapters,
                    new OverriddenParameters(parameters, Map.of("q", 1.0, "density", 1.0)), seed, threads, progress);
            DeltaWeights.check(base, unpruned);
            List<float[]> reference;
            try (ModelWeights model = DeltaFold.fold(base, unpruned.delta(), 1.0)) {
                reference = probe.logits(model);
            }
            unpruned = null; // only its logits are needed from here on

            MergedDelta pruned = MergedDelta.compute(method, adapters,
                    new OverriddenParameters(parameters, Map.of("q", 1.0)), seed, threads, progress);
            List<QEvaluation> evaluations;
            try (Progress.Task task = progress.start("choose q on " + prompts.size() + " prompts",
                    (long) QSearch.GRID_POINTS + QSearch.REFINEMENTS)) {
                evaluations = QSearch.run(pruned.keepProbability(), q -> {
                    try (ModelWeights model = DeltaFold.fold(base, pruned.delta(), 1 / q)) {
                        return probe.meanSquaredChange(model, reference);
                    }
                }, task::step);
            }
            QEvaluation best = QSearch.best(evaluations);
            return new QChoice(best.q(), best.objective(), pruned.keepProbability(), evaluations, prompts.size(),
                    probe.tokens());
        }
    }

    private static List<int[]> tokenize(List<CalibrationPrompt> prompts, Tokenizer tokenizer, ModelWeights base) {
        int context = base.config().maxPositionEmbeddings();
        int vocab = base.config().vocabSize();
        List<int[]> out = new ArrayList<>();
        for (CalibrationPrompt p : prompts) {
            int[] ids = tokenizer.encode(p.text(), true);
            if (ids.length == 0) {
                throw new InvalidInputException(p.where() + ": the prompt gives no tokens");
            }
            if (ids.length > context) {
                throw new InvalidInputException(p.where() + ": the prompt is " + ids.length + " tokens, longer than"
                        + " the model's context (max_position_embeddings " + context + ")");
            }
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new InvalidInputException(p.where() + ": the tokenizer gives id " + id + ", outside the"
                            + " model's vocabulary (vocab_size " + vocab + ")");
                }
            }
            out.add(ids);
        }
        return out;
    }

    /**
     * The heap the calibration holds at its peak: one dense merged update (float32, every targeted module) and the
     * reference logits, plus one module's worth of scratch; refuses before any work when that does not fit.
     */
    private static void requireHeap(List<AdapterInput> adapters, long logitValues) {
        long values = 0;
        long largest = 0;
        try (MergeInputs inputs = MergeInputs.open(adapters)) {
            for (MergeInputs.ModuleSlot s : inputs.modules().values()) {
                long n = (long) s.rows() * s.cols();
                values += n;
                largest = Math.max(largest, n);
            }
        }
        long need = Float.BYTES * (values + logitValues + 2 * largest);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new ResourceException("--q auto needs about " + need / (1 << 20) + " MiB of heap for the merged"
                    + " update and the reference logits, but about " + free / (1 << 20) + " MiB are free (raise the"
                    + " JVM's -Xmx, or use fewer or shorter calibration prompts)", null);
        }
    }
}
