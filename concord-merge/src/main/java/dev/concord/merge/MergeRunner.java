package dev.concord.merge;

import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicDirectory;
import dev.concord.merge.output.AdapterOutput;
import dev.concord.merge.output.DeltaOutput;
import dev.concord.merge.output.MergeReport;
import dev.concord.merge.output.ModelOutput;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs one {@link MergeRequest} from inputs to a published output directory. Everything that can be checked is
 * checked before any file appears: the output directory, the base model, every adapter, every module's
 * parameters. Output goes to a hidden staging directory that is renamed into place only when complete, so after
 * a failure nothing exists under {@code --out} (and an existing one replaced with {@code --force} is intact).
 */
public final class MergeRunner {
    private MergeRunner() {}

    public static MergeSummary run(MergeRequest req, Progress progress) {
        long started = System.nanoTime();
        if (Files.exists(req.out()) && !req.force()) {
            throw new InvalidInputException(req.out() + ": already exists (choose a new --out, or pass --force to replace it)");
        }
        if (req.format() == OutputFormat.MODEL) {
            if (req.base() == null) {
                throw new InvalidInputException("--format model needs --base MODEL_DIR (the base model the adapters were trained on)");
            }
            if (!Files.isDirectory(req.base())) {
                throw new InvalidInputException(req.base() + ": --base is not a directory");
            }
        }
        if (req.rank() != null && req.rank() < 1) {
            throw new InvalidInputException("--rank must be at least 1, got " + req.rank());
        }
        Merger merger = new Merger(req.method(), req.parameters(), req.seed(), req.threads(), progress);
        try (MergeInputs inputs = MergeInputs.open(req.adapters())) {
            List<String> order = new ArrayList<>(inputs.modules().keySet());
            // Validate every module's parameters before any output (or model) is touched.
            List<ModulePlan> plans = merger.plan(inputs, order);
            SortedMap<String, Double> energy = new TreeMap<>();
            try (AtomicDirectory out = AtomicDirectory.create(req.out(), req.force())) {
                switch (req.format()) {
                    case ADAPTER -> {
                        AdapterOutput o = new AdapterOutput(req.method(), req.rank());
                        merger.run(plans, o);
                        o.write(out.staging(), inputs.adapters().getFirst().config());
                        energy.putAll(o.retainedEnergy());
                    }
                    case DELTA -> {
                        try (DeltaOutput o = new DeltaOutput(out.staging(), plans)) {
                            merger.run(plans, o);
                            o.commit();
                        }
                    }
                    case MODEL -> {
                        try (ModelOutput o = ModelOutput.open(req.base(), inputs, out.staging())) {
                            List<ModulePlan> inBaseOrder = merger.plan(inputs, o.moduleOrder(inputs));
                            merger.run(inBaseOrder, o);
                            o.commit();
                        }
                    }
                }
                MergeReport.write(out.staging(), MergeReport.build(req, inputs, plans, energy));
                out.commit();
            }
            return new MergeSummary(req.out(), plans.size(), energy, (System.nanoTime() - started) / 1e9);
        }
    }
}
