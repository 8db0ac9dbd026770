package dev.concord.lab.eval;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.PretrainingExample;
import dev.concord.lab.suite.Split;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.TrainingData;
import dev.concord.model.engine.EngineOptions;
import dev.concord.model.engine.InferenceEngine;
import dev.concord.model.lora.AdapterMix;
import dev.concord.model.lora.AdapterWeights;
import dev.concord.model.sample.StopTokens;
import dev.concord.model.tokenizer.Tokenizer;
import dev.concord.model.weights.ModelWeights;
import dev.concord.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The evaluation harness: a base model loaded once, on which any number of compositions are scored against
 * held-out suites. Each item is scored two ways, both through the inference engine and many items per forward
 * step:
 *
 * <ul>
 *   <li><b>exact match</b>: greedy decoding from the prompt, at most (answer tokens + margin) tokens, stopping at
 *       the end-of-sequence token; the item counts when the text decoded before that token equals the reference
 *       answer character for character;
 *   <li><b>token accuracy</b>: one teacher-forced forward over prompt + answer; the fraction of reference tokens
 *       (the answer's tokens and the end-of-sequence token after them) that are the argmax at their position.
 * </ul>
 *
 * The teacher-forced step also serves the greedy decoding as a verified draft (see {@link BatchRunner}): items
 * whose greedy path follows the reference need no further step. Use from one thread at a time.
 */
public final class LabEvaluator implements AutoCloseable {
    /** The control text: the lab pretraining stream of this seed and stream number (never used for training). */
    public static final long CONTROL_SEED = SuiteGenerator.DEFAULT_SEED;
    public static final long CONTROL_STREAM = -1;
    /** Scored tokens of the control text (whole examples are drawn until at least this many). */
    public static final int CONTROL_TOKENS = 2048;

    private final Path modelDir;
    private final ModelWeights base;
    private final Tokenizer tokenizer;
    private final Set<Integer> stops;
    private final int eos;
    private final EvalOptions options;
    private final InferenceEngine engine;
    private final ItemEncoder encoder;
    private final Map<Path, AdapterWeights> adapters = new HashMap<>();
    private Control control;

    private LabEvaluator(Path modelDir, ModelWeights base, Tokenizer tokenizer, Set<Integer> stops, int eos,
            EvalOptions options) {
        this.modelDir = modelDir;
        this.base = base;
        this.tokenizer = tokenizer;
        this.stops = stops;
        this.eos = eos;
        this.options = options;
        this.engine = new InferenceEngine(base, engineOptions(options));
        this.encoder = new ItemEncoder(tokenizer, base.config().maxPositionEmbeddings());
    }

    /**
     * Loads the model in {@code modelDir} (config.json, safetensors weights, tokenizer.json).
     *
     * @throws InvalidInputException when the directory, its tokenizer or its end-of-sequence token is missing
     */
    public static LabEvaluator open(Path modelDir, EvalOptions options) {
        if (!Files.isDirectory(modelDir)) {
            throw new InvalidInputException(modelDir + ": " + (Files.exists(modelDir) ? "not a directory" : "no such "
                    + "directory") + " (--model takes a Hugging Face model directory)");
        }
        Path tokenizerFile = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new InvalidInputException(tokenizerFile + ": no such file (evaluation needs the model's tokenizer)");
        }
        Tokenizer tokenizer = Tokenizer.load(tokenizerFile);
        ModelWeights base = ModelWeights.load(modelDir);
        try {
            Set<Integer> stops = StopTokens.of(modelDir, base.config(), tokenizer);
            if (stops.isEmpty()) {
                throw new InvalidInputException(modelDir + ": the model names no end-of-sequence token (eos_token_id "
                        + "in config.json); exact match needs one to know where an answer ends");
            }
            // the token teacher forcing expects after an answer: the tokenizer's own EOS when generation stops on it
            int eos = tokenizer.eosTokenId().isPresent() && stops.contains(tokenizer.eosTokenId().getAsInt())
                    ? tokenizer.eosTokenId().getAsInt() : stops.iterator().next();
            return new LabEvaluator(modelDir, base, tokenizer, stops, eos, options);
        } catch (RuntimeException | Error e) {
            base.close();
            throw e;
        }
    }

    private static EngineOptions engineOptions(EvalOptions options) {
        return EngineOptions.defaults().withThreads(options.threads());
    }

    public Path modelDir() {
        return modelDir;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The token id a reference answer ends with in teacher forcing. */
    public int endOfSequence() {
        return eos;
    }

    /**
     * Runs a whole evaluation: the composition's scores per skill, each skill's normalized accuracy against its
     * own adapter (from that adapter's eval.json, else measured here on the same items), and the control.
     */
    public EvalReport evaluate(EvalRequest req, Progress progress) {
        long started = System.nanoTime();
        List<String> skills = req.resolvedSkills();
        Map<String, List<EncodedItem>> items = encode(req.suite(), req.split(), skills, req.limit());
        boolean normalize = req.normalize() && !(req.composition() instanceof Composition.Base);

        Map<String, Reference> references = new LinkedHashMap<>();
        List<BatchRunner.Job> referenceJobs = new ArrayList<>();
        if (normalize) {
            for (String skill : skills) {
                Optional<Path> own = OwnAdapters.find(skill, req.composition().adapters(), modelDir);
                if (own.isEmpty()) {
                    references.put(skill, Reference.notFound());
                    continue;
                }
                AdapterEvalFile.Recorded recorded = AdapterEvalFile.read(own.get()).get(req.split());
                if (recorded != null) {
                    references.put(skill, new Reference(OptionalDouble.of(recorded.exactMatch()),
                            Reference.Source.EVAL_JSON, own.get(), recorded.items()));
                    continue;
                }
                references.put(skill, null); // measured below
                if (isOwnAdapterAlone(req.composition(), skill, own.get())) {
                    continue; // the composition's own outcomes are the measurement
                }
                AdapterMix mix = AdapterMix.single(adapter(own.get()));
                for (EncodedItem it : items.get(skill)) {
                    referenceJobs.add(new BatchRunner.Job(it, mix));
                }
            }
        }

        Scoring scoring = new Scoring();
        List<ItemOutcome> outcomes;
        List<ItemOutcome> referenceOutcomes;
        String label = "eval " + req.composition().label();
        if (runsOnBase(req.composition())) {
            List<BatchRunner.Job> jobs = new ArrayList<>(jobs(req.composition(), items));
            int own = jobs.size();
            jobs.addAll(referenceJobs);
            List<ItemOutcome> all = scoring.run(engine, jobs, progress, label);
            outcomes = all.subList(0, own);
            referenceOutcomes = all.subList(own, all.size());
        } else {
            ModelDelta delta = switch (req.composition()) {
                case Composition.Merged m -> InMemoryMerge.run(m.spec(), options.threads(), progress);
                case Composition.Delta d -> d.delta();
                default -> throw new IllegalStateException("not a folded composition: " + req.composition());
            };
            List<BatchRunner.Job> jobs = new ArrayList<>();
            items.values().forEach(list -> list.forEach(it -> jobs.add(new BatchRunner.Job(it, AdapterMix.NONE))));
            try (ModelWeights folded = DeltaFold.fold(base, delta);
                    InferenceEngine foldedEngine = new InferenceEngine(folded, engineOptions(options))) {
                outcomes = scoring.run(foldedEngine, jobs, progress, label);
            }
            referenceOutcomes = referenceJobs.isEmpty() ? List.of()
                    : scoring.run(engine, referenceJobs, progress, "eval own adapters (references)");
        }

        Map<String, List<ItemOutcome>> bySkill = groupBySkill(skills, outcomes);
        Map<String, List<ItemOutcome>> refBySkill = groupBySkill(skills, referenceOutcomes);
        Map<String, SkillResult> results = new LinkedHashMap<>();
        for (String skill : skills) {
            SkillScore score = SkillScore.of(bySkill.get(skill));
            Reference ref = null;
            if (normalize) {
                ref = references.get(skill);
                if (ref == null) {
                    Path own = OwnAdapters.find(skill, req.composition().adapters(), modelDir).orElseThrow();
                    SkillScore measured = isOwnAdapterAlone(req.composition(), skill, own) ? score
                            : SkillScore.of(refBySkill.get(skill));
                    ref = new Reference(OptionalDouble.of(measured.exactMatch()), Reference.Source.MEASURED, own,
                            measured.items());
                }
            }
            results.put(skill, new SkillResult(score, SkillResult.normalize(score.exactMatch(), ref), ref));
        }
        Optional<Control> ctl = req.control() ? Optional.of(control(progress)) : Optional.empty();
        return EvalReport.summarize(modelDir.toString(), req.suite().origin(), req.split(), req.limit(),
                req.composition(), results, ctl, outcomes, (System.nanoTime() - started) / 1e9, scoring.items,
                scoring.seconds);
    }

    /** Scores only, per skill: no normalization, no control (what a sweep over many compositions needs). */
    public Map<String, SkillScore> score(Composition composition, Suite suite, Split split, List<String> skills,
            int limit, Progress progress) {
        EvalReport r = evaluate(new EvalRequest(composition, suite, split, skills, limit, false, false), progress);
        Map<String, SkillScore> out = new LinkedHashMap<>();
        r.skills().forEach((k, v) -> out.put(k, v.score()));
        return out;
    }

    /**
     * One adapter on its own skill, every held-out split the suite has for it (test, validation, ood): what
     * {@code concord lab build} records in the adapter's eval.json.
     */
    public Map<Split, SkillScore> evaluateAdapter(Path adapterDir, Suite suite, String skill, Progress progress) {
        AdapterMix mix = AdapterMix.single(adapter(adapterDir));
        List<Split> splits = new ArrayList<>();
        List<BatchRunner.Job> jobs = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Split split : List.of(Split.TEST, Split.VALIDATION, Split.OOD)) {
            if (!suite.splits(skill).contains(split)) {
                continue;
            }
            List<EncodedItem> encoded = encode(suite, split, List.of(skill), 0).get(skill);
            encoded.forEach(it -> jobs.add(new BatchRunner.Job(it, mix)));
            splits.add(split);
            counts.add(encoded.size());
        }
        if (splits.isEmpty()) {
            throw new InvalidInputException("suite " + suite.origin() + ": skill '" + skill + "' has no held-out split"
                    + " (test, validation or ood)");
        }
        List<ItemOutcome> all = new Scoring().run(engine, jobs, progress, "eval " + skill + " adapter");
        Map<Split, SkillScore> out = new EnumMap<>(Split.class);
        int from = 0;
        for (int i = 0; i < splits.size(); i++) {
            out.put(splits.get(i), SkillScore.of(all.subList(from, from + counts.get(i))));
            from += counts.get(i);
        }
        return out;
    }

    /** {@link #evaluateAdapter} and the result written to {@code adapterDir}/eval.json (atomically). */
    public Map<Split, SkillScore> writeAdapterEval(Path adapterDir, Suite suite, String skill, Progress progress) {
        Map<Split, SkillScore> scores = evaluateAdapter(adapterDir, suite, skill, progress);
        AdapterEvalFile.write(adapterDir, scores);
        return scores;
    }

    /** The base model's control perplexity (computed once per evaluator). */
    public Control control(Progress progress) {
        if (control == null) {
            control = measureControl(progress);
        }
        return control;
    }

    private Control measureControl(Progress progress) {
        Suite nothingHeldOut = new Suite("none", OptionalLong.empty(), Map.of());
        Iterator<PretrainingExample> stream = new TrainingData(CONTROL_SEED, nothingHeldOut, LabSkills.all())
                .pretraining(CONTROL_STREAM);
        List<BatchRunner.Job> jobs = new ArrayList<>();
        long tokens = 0;
        while (tokens < CONTROL_TOKENS) {
            PretrainingExample ex = stream.next();
            EncodedItem it = encoder.encode(ex.skill(), jobs.size(), new SuiteItem(ex.prompt(), ex.answer()),
                    "control text example " + jobs.size());
            jobs.add(new BatchRunner.Job(it, AdapterMix.NONE));
            tokens += it.answerIds().length + 1;
        }
        double nll = 0;
        try (Progress.Task task = progress.start("control perplexity (base model)", jobs.size())) {
            for (ItemOutcome o : runner(engine).teacherForcedOnly(jobs, task)) {
                nll += o.nll();
            }
        }
        return new Control(Math.exp(nll / tokens), tokens, jobs.size(), CONTROL_SEED, CONTROL_STREAM);
    }

    /** Whether the composition serves {@code skill} with exactly its own adapter at weight 1, unmerged. */
    private static boolean isOwnAdapterAlone(Composition c, String skill, Path own) {
        Path key = own.toAbsolutePath().normalize();
        List<WeightedAdapter> serving = switch (c) {
            case Composition.Mix m -> m.adapters();
            case Composition.Routed r -> r.adapters().stream().filter(a -> a.name().equals(skill)).toList();
            default -> List.of();
        };
        return serving.size() == 1 && serving.getFirst().weight() == 1.0
                && serving.getFirst().path().toAbsolutePath().normalize().equals(key);
    }

    private boolean runsOnBase(Composition c) {
        return c instanceof Composition.Base || c instanceof Composition.Mix || c instanceof Composition.Routed;
    }

    /** The composition's jobs for every item, skill by skill (unmerged compositions only). */
    private List<BatchRunner.Job> jobs(Composition c, Map<String, List<EncodedItem>> items) {
        List<BatchRunner.Job> jobs = new ArrayList<>();
        switch (c) {
            case Composition.Base b -> items.values().forEach(l -> l.forEach(it ->
                    jobs.add(new BatchRunner.Job(it, AdapterMix.NONE))));
            case Composition.Mix m -> {
                List<AdapterMix.Entry> entries = new ArrayList<>();
                for (WeightedAdapter a : m.adapters()) {
                    entries.add(new AdapterMix.Entry(adapter(a.path()), (float) a.weight()));
                }
                AdapterMix mix = AdapterMix.of(entries);
                items.values().forEach(l -> l.forEach(it -> jobs.add(new BatchRunner.Job(it, mix))));
            }
            case Composition.Routed r -> {
                for (Map.Entry<String, List<EncodedItem>> e : items.entrySet()) {
                    WeightedAdapter a = r.adapters().stream().filter(x -> x.name().equals(e.getKey())).findFirst()
                            .orElseThrow(() -> new InvalidInputException("--route: no --adapter is named '"
                                    + e.getKey() + "' (route serves each skill's prompts with the adapter whose "
                                    + "directory name is the skill; adapters: " + String.join(", ",
                                    r.adapters().stream().map(WeightedAdapter::name).toList()) + ")"));
                    AdapterMix mix = AdapterMix.of(List.of(new AdapterMix.Entry(adapter(a.path()), (float) a.weight())));
                    e.getValue().forEach(it -> jobs.add(new BatchRunner.Job(it, mix)));
                }
            }
            default -> throw new IllegalStateException("not an unmerged composition: " + c);
        }
        return jobs;
    }

    /** Loads an adapter once per evaluator (its id, and with it the order of accumulation, stays fixed). */
    private AdapterWeights adapter(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        AdapterWeights a = adapters.get(key);
        if (a == null) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException("--adapter " + dir + ": " + (Files.exists(dir) ? "not a directory"
                        : "no such directory") + " (a PEFT adapter directory)");
            }
            a = AdapterWeights.load(dir, base.config(), Optional.empty());
            adapters.put(key, a);
        }
        return a;
    }

    private Map<String, List<EncodedItem>> encode(Suite suite, Split split, List<String> skills, int limit) {
        Map<String, List<EncodedItem>> out = new LinkedHashMap<>();
        for (String skill : skills) {
            List<SuiteItem> all = suite.items(skill, split);
            int n = limit > 0 ? Math.min(limit, all.size()) : all.size();
            List<EncodedItem> encoded = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                encoded.add(encoder.encode(skill, i, all.get(i),
                        suite.origin() + "/" + skill + "/" + split.fileName() + " item " + (i + 1)));
            }
            out.put(skill, encoded);
        }
        return out;
    }

    private static Map<String, List<ItemOutcome>> groupBySkill(List<String> skills, List<ItemOutcome> outcomes) {
        Map<String, List<ItemOutcome>> out = new LinkedHashMap<>();
        skills.forEach(s -> out.put(s, new ArrayList<>()));
        for (ItemOutcome o : outcomes) {
            out.get(o.skill()).add(o);
        }
        return out;
    }

    private BatchRunner runner(InferenceEngine on) {
        return new BatchRunner(on, tokenizer, stops, eos, options);
    }

    /** Runs batches and adds up the items scored and the time spent scoring them. */
    private final class Scoring {
        long items;
        double seconds;

        List<ItemOutcome> run(InferenceEngine on, List<BatchRunner.Job> jobs, Progress progress, String label) {
            long t0 = System.nanoTime();
            try (Progress.Task task = progress.start(label, jobs.size())) {
                List<ItemOutcome> out = runner(on).run(jobs, task);
                items += jobs.size();
                seconds += (System.nanoTime() - t0) / 1e9;
                return out;
            }
        }
    }

    @Override
    public void close() {
        engine.close();
        base.close();
    }
}
