package dev.concord.lab.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.io.AtomicDirectory;
import dev.concord.io.AtomicFiles;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.SuiteWriter;
import dev.concord.lab.suite.TrainingData;
import dev.concord.lab.train.AdapterExport;
import dev.concord.lab.train.BaseModelWriter;
import dev.concord.lab.train.BatchPacker;
import dev.concord.lab.train.LabWeights;
import dev.concord.lab.train.LoraWeights;
import dev.concord.lab.train.PretrainingItems;
import dev.concord.lab.train.Trainer;
import dev.concord.lab.train.TrainingResult;
import dev.concord.lab.train.TrainingSettings;
import dev.concord.progress.Progress;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * {@code concord lab build}: reproduces the lab from a recipe and its seeds. Generates the evaluation suite,
 * pretrains the base model on the noisy pretraining stream, trains one LoRA adapter per skill on that skill's
 * training stream, has each adapter evaluated through the {@link AdapterEvaluation} hook, and records what it did.
 *
 * <pre>
 * OUT/suite/                 the evaluation suite (docs/lab.md, "Suite format")
 * OUT/base/                  the base model: an HF model directory (config.json, model.safetensors, tokenizer.json)
 * OUT/adapters/&lt;skill&gt;/      one PEFT adapter per skill (plus eval.json when an evaluation is hooked in)
 * OUT/build.json             recipe, seeds, tokens, wall and CPU seconds and losses of every phase
 * </pre>
 *
 * Everything is written into a hidden directory beside OUT that is renamed into place at the very end, so OUT
 * appears complete or not at all — also when the build fails or the process is interrupted.
 */
public final class LabBuild {
    public static final String SUITE_DIR = "suite";
    public static final String BASE_DIR = "base";
    public static final String ADAPTERS_DIR = "adapters";
    public static final String BUILD_JSON = "build.json";
    /** What adapter_config.json names as the base model: the base directory, relative to an adapter directory. */
    public static final String ADAPTER_BASE_MODEL = "../../" + BASE_DIR;

    /**
     * How to run a build.
     *
     * @param threads compute threads of each training phase
     * @param skills the skills to train adapters for, in order (the suite and the base always cover all skills)
     * @param replace replace an existing output directory (only once the new one is complete)
     */
    public record Options(int threads, List<String> skills, boolean replace, Progress progress, BuildListener listener,
            AdapterEvaluation evaluation) {
        public Options {
            if (threads < 1 || threads > 1024) {
                throw new InvalidInputException("--threads must be between 1 and 1024, got " + threads);
            }
            if (skills.isEmpty()) {
                throw new InvalidInputException("--skills: name at least one skill");
            }
            if (new HashSet<>(skills).size() != skills.size()) {
                throw new InvalidInputException("--skills names a skill twice: " + String.join(",", skills));
            }
            skills.forEach(LabSkills::byName);
            skills = List.copyOf(skills);
        }

        /** All skills, no progress display, no evaluation. */
        public static Options defaults(int threads) {
            return new Options(threads, LabSkills.names(), false, Progress.none(), BuildListener.NONE,
                    AdapterEvaluation.NONE);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabRecipe recipe;
    private final Options options;

    public LabBuild(LabRecipe recipe, Options options) {
        this.recipe = recipe;
        this.options = options;
    }

    /** Builds into {@code out}; returns what each phase did. */
    public List<PhaseSummary> run(Path out) {
        long wallStart = System.nanoTime();
        double cpuStart = processCpuSeconds();
        try (AtomicDirectory dir = AtomicDirectory.create(out, options.replace())) {
            Path root = dir.staging();
            Thread cleanup = new Thread(() -> AtomicDirectory.deleteTree(root), "concord-lab-build-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                List<PhaseSummary> phases = build(root);
                writeBuildJson(root, phases, (System.nanoTime() - wallStart) / 1e9,
                        processCpuSeconds() - cpuStart);
                dir.commit();
                return phases;
            } finally {
                removeHook(cleanup);
            }
        }
    }

    private List<PhaseSummary> build(Path root) {
        Suite suite;
        try (Progress.Task task = options.progress().start("suite", 1)) {
            suite = new SuiteGenerator(recipe.suiteSeed(), recipe.suiteSizes()).generate();
            SuiteWriter.write(suite, root.resolve(SUITE_DIR), false);
            task.step();
        }
        TrainingData data = new TrainingData(recipe.suiteSeed(), suite, recipe.weightedSkills());
        List<PhaseSummary> phases = new ArrayList<>();

        LabWeights base = LabWeights.initialized(recipe.shape(), recipe.trainingSeed());
        phases.add(train("base", recipe.base(), new PretrainingItems(data.pretraining(recipe.trainingSeed())),
                settings -> Trainer.full(base, settings, options.threads())));
        Path baseDir = root.resolve(BASE_DIR);
        BaseModelWriter.write(base, baseDir, false);

        Path adapters = root.resolve(ADAPTERS_DIR);
        for (String skill : options.skills()) {
            LoraWeights lora = LoraWeights.initialized(recipe.shape(), recipe.adapter(), recipe.trainingSeed(), skill);
            phases.add(train("adapter:" + skill, recipe.loraFor(skill),
                    data.skill(LabSkills.byName(skill), recipe.trainingSeed()),
                    settings -> Trainer.lora(base, lora, settings, options.threads())));
            Path adapterDir = adapters.resolve(skill);
            AdapterExport.write(lora, adapterDir, ADAPTER_BASE_MODEL, false);
            options.evaluation().evaluate(baseDir, adapterDir, root.resolve(SUITE_DIR), skill);
        }
        return phases;
    }

    private PhaseSummary train(String phase, TrainingSettings settings, Iterator<SuiteItem> examples,
            Function<TrainingSettings, Trainer> trainer) {
        long wall = System.nanoTime();
        double cpu = processCpuSeconds();
        TrainingResult result;
        try (Trainer t = trainer.apply(settings);
                Progress.Task task = options.progress().start(phase, settings.steps())) {
            result = t.run(new BatchPacker(examples, settings.batchRows(), settings.rowTokens()), report -> {
                options.listener().onStep(phase, report);
                task.step();
            });
        }
        PhaseSummary summary = new PhaseSummary(phase, result.steps(), result.tokens(), result.firstLoss(),
                result.finalLoss(), (System.nanoTime() - wall) / 1e9, processCpuSeconds() - cpu);
        options.listener().onPhase(summary);
        return summary;
    }

    private void writeBuildJson(Path root, List<PhaseSummary> phases, double wallSeconds, double cpuSeconds) {
        ObjectNode b = JSON.createObjectNode();
        b.put("format", "concord-lab-build");
        b.put("version", 1);
        b.set("recipe", recipe.toJson(JSON));
        ObjectNode seeds = b.putObject("seeds");
        seeds.put("suite", recipe.suiteSeed());
        seeds.put("training", recipe.trainingSeed());
        b.putArray("skills").addAll(options.skills().stream().map(b::textNode).toList());
        b.put("threads", options.threads());
        ArrayNode list = b.putArray("phases");
        for (PhaseSummary p : phases) {
            ObjectNode o = list.addObject();
            o.put("name", p.name());
            o.put("steps", p.steps());
            o.put("tokens", p.tokens());
            o.put("first_loss", p.firstLoss());
            o.put("final_loss", p.finalLoss());
            o.put("wall_seconds", round(p.wallSeconds()));
            o.put("cpu_seconds", round(p.cpuSeconds()));
            o.put("tokens_per_second", Math.round(p.tokensPerSecond()));
        }
        b.put("wall_seconds", round(wallSeconds));
        b.put("cpu_seconds", round(cpuSeconds));
        b.put("java", Runtime.version().toString());
        try {
            AtomicFiles.writeString(root.resolve(BUILD_JSON), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(b) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConcordException("cannot render build.json: " + e.getMessage(), e);
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    /** CPU time of the whole process (all threads); 0 where the JVM cannot tell. */
    static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? 0 : nanos / 1e9;
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook runs and removes the staging directory
        }
    }
}
