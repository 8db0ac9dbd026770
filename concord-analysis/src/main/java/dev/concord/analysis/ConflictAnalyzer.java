package dev.concord.analysis;

import dev.concord.adapter.LoraModule;
import dev.concord.adapter.TaskVector;
import dev.concord.error.InvalidInputException;
import dev.concord.progress.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * {@code concord analyze}: reads a set of adapters once, module by module, and produces the {@link AnalysisReport}.
 *
 * <p>Per module: every adapter's update is put in singular form from its factors ({@link TaskBasis}); the bases
 * are stacked and two Gram matrices give every pair's inner product, subspace overlaps, alignment and TSV
 * interference ({@link PairSpectral}) and, for sets of moderate total rank, TSV-Merge retention and the alignment
 * with the task-arithmetic merge ({@link CompositionSpectral}); then the element-wise statistics are read exactly or
 * from samples ({@link ElementwiseScan}). Per-module numbers are pooled over modules at the end: inner products and
 * norms add up, overlaps are averaged over shared modules, and element-wise ratios are ratios of pooled sums.
 *
 * <p>Only one module's factors and bases are held at a time, so memory is bounded by the largest module, not by the
 * adapters' size.
 */
public final class ConflictAnalyzer {
    /** Beyond this, the report suggests --sample. */
    static final double SLOW_EXACT_SECONDS = 60;

    private ConflictAnalyzer() {}

    /** Runs the analysis; the adapters stay open (the caller closes them). */
    public static AnalysisReport analyze(List<NamedAdapter> adapters, AnalysisOptions options, Progress progress) {
        long start = System.nanoTime();
        NamedAdapter.checkNames(adapters);
        int n = adapters.size();
        double[] w = options.weightsFor(n);
        List<ModuleSlot> slots = ModuleCatalog.of(adapters);
        Run run = new Run(adapters, options, w, slots);
        BaseWeights base = options.base() == null ? null : BaseWeights.open(options.base());
        try (Progress.Task task = progress.start("analyze " + n + " adapters", slots.size())) {
            for (ModuleSlot slot : slots) {
                run.module(slot, base);
                task.step();
            }
        } finally {
            if (base != null) {
                base.close();
            }
        }
        return run.report((System.nanoTime() - start) / 1e9);
    }

    /** Everything accumulated over modules. */
    private static final class Run {
        final List<NamedAdapter> adapters;
        final AnalysisOptions options;
        final double[] weights;
        final List<ModuleSlot> slots;
        final int n;
        final int depth;
        final List<List<ModuleSpectrum>> spectra = new ArrayList<>();
        final double[][] gram;
        final double[] baseEnergy;
        final double[] targetedBaseEnergy;
        final double[] relativeMax;
        final PairTotals[] pairs;
        final RatioEstimate agreement = new RatioEstimate();
        final RatioEstimate discarded = new RatioEstimate();
        final RatioEstimate[] ties;
        final RatioEstimate[] dare;
        final double[] tiesAlone;
        final double[] dareAlone;
        final double[][] prefix;
        final double[] tsvDot;
        final double[] projectedOnMerge;
        String spectralSkipped;
        final List<ModuleReport> moduleReports = new ArrayList<>();
        double spectralSeconds;
        double elementwiseSeconds;

        Run(List<NamedAdapter> adapters, AnalysisOptions options, double[] weights, List<ModuleSlot> slots) {
            this.adapters = adapters;
            this.options = options;
            this.weights = weights;
            this.slots = slots;
            this.n = adapters.size();
            this.depth = Math.min(n, DepthGuard.MAX_ELEMENTWISE_DEPTH);
            for (int i = 0; i < n; i++) {
                spectra.add(new ArrayList<>());
            }
            gram = new double[n][n];
            baseEnergy = new double[n];
            targetedBaseEnergy = new double[n];
            relativeMax = new double[n];
            Arrays.fill(relativeMax, Double.NaN);
            pairs = new PairTotals[ElementwiseTally.pairCount(n)];
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    pairs[ElementwiseTally.pairIndex(a, b, n)] = new PairTotals(a, b);
                }
            }
            ties = new RatioEstimate[n];
            dare = new RatioEstimate[n];
            for (int i = 0; i < n; i++) {
                ties[i] = new RatioEstimate();
                dare[i] = new RatioEstimate();
            }
            tiesAlone = new double[n];
            dareAlone = new double[n];
            prefix = new double[depth][n];
            tsvDot = new double[n];
            projectedOnMerge = new double[n];
        }

        void module(ModuleSlot slot, BaseWeights base) {
            long t0 = System.nanoTime();
            int[] present = slot.present();
            LoraModule[] ms = slot.modules();
            TaskVector[] taus = new TaskVector[n];
            TaskBasis[] bases = new TaskBasis[n];
            IntStream.of(present).parallel().forEach(i -> {
                taus[i] = ms[i].taskVector();
                try {
                    bases[i] = TaskBasis.of(taus[i]);
                } catch (InvalidInputException e) {
                    // e.g. a NaN in a factor: say which adapter and module, not only which matrix
                    throw new InvalidInputException("adapter '" + adapters.get(i).name() + "', module " + slot.name()
                            + ": " + e.getMessage());
                }
            });
            double baseNorm = base == null ? Double.NaN : base.norm(slot.name(), slot.rows(), slot.cols());
            for (int i : present) {
                TaskBasis b = bases[i];
                Spectrum s = Spectrum.of(b.sigma());
                double relative = s.frobeniusNorm() / baseNorm;
                gram[i][i] += b.energy();
                if (!Double.isNaN(baseNorm)) {
                    targetedBaseEnergy[i] += baseNorm * baseNorm;
                    baseEnergy[i] += b.energy();
                    relativeMax[i] = Double.isNaN(relativeMax[i]) ? relative : Math.max(relativeMax[i], relative);
                }
                spectra.get(i).add(new ModuleSpectrum(slot.name(), slot.layer(), slot.kind(),
                        List.of(slot.rows(), slot.cols()), ms[i].rank(), b.numericalRank(), b.sigma(),
                        s.frobeniusNorm(), s.effectiveRank(), s.stableRank(), s.top1EnergyShare(), baseNorm,
                        relative));
            }
            StackedBases stacked = StackedBases.of(bases, slot.rows(), slot.cols());
            List<int[]> shared = new ArrayList<>();
            for (int x = 0; x < present.length; x++) {
                for (int y = x + 1; y < present.length; y++) {
                    shared.add(new int[] {present[x], present[y]});
                }
            }
            PairSpectral[] ps = new PairSpectral[shared.size()];
            IntStream.range(0, ps.length).parallel()
                    .forEach(p -> ps[p] = PairSpectral.of(stacked, shared.get(p)[0], shared.get(p)[1]));
            double overlapSum = 0;
            double cosineSum = 0;
            int overlapCount = 0;
            int cosineCount = 0;
            for (int p = 0; p < ps.length; p++) {
                int a = shared.get(p)[0];
                int b = shared.get(p)[1];
                PairSpectral s = ps[p];
                gram[a][b] += s.inner();
                gram[b][a] += s.inner();
                PairTotals acc = pairs[ElementwiseTally.pairIndex(a, b, n)];
                double cos = s.inner() / Math.sqrt(bases[a].energy() * bases[b].energy());
                acc.addSpectral(s, bases[a], bases[b]);
                if (options.moduleDetail()) {
                    acc.moduleCosine.add(cos);
                    acc.moduleNames.add(slot.name());
                    acc.moduleSpectral.add(s);
                }
                if (!Double.isNaN(s.overlapColumns())) {
                    overlapSum += s.overlapColumns();
                    overlapCount++;
                }
                if (!Double.isNaN(cos)) {
                    cosineSum += cos;
                    cosineCount++;
                }
            }
            if (spectralSkipped == null) {
                if (stacked.totalRank() <= CompositionSpectral.MAX_TOTAL_RANK) {
                    CompositionSpectral c = CompositionSpectral.of(stacked, weights, slot.rows(), slot.cols());
                    for (int i = 0; i < n; i++) {
                        tsvDot[i] += c.tsvDot()[i];
                        projectedOnMerge[i] += c.projectedOnMerge()[i];
                    }
                } else {
                    spectralSkipped = String.format(Locale.ROOT, "TSV retention and the alignment with the merge "
                            + "were not computed: module %s has total rank %d, above the %d that their K×K "
                            + "decompositions are run for.", slot.name(), stacked.totalRank(),
                            CompositionSpectral.MAX_TOTAL_RANK);
                }
            }
            long t1 = System.nanoTime();
            ElementwiseTally tally = options.sample() > 0
                    ? ElementwiseScan.sampled(slot.name(), slot.rows(), slot.cols(), taus, options.density(),
                            options.seed(), weights, depth, options.sample())
                    : ElementwiseScan.exact(slot.name(), slot.rows(), slot.cols(), taus, options.density(),
                            options.seed(), weights, depth);
            long t2 = System.nanoTime();
            foldElementwise(slot, tally, present);
            double agreeHere = tally.multi == 0 ? Double.NaN : (double) tally.agree / tally.multi;
            double conflictHere = pooledConflict(tally, present);
            List<String> names = new ArrayList<>();
            for (int i : present) {
                names.add(adapters.get(i).name());
            }
            moduleReports.add(new ModuleReport(slot.name(), slot.layer(), slot.kind(),
                    List.of(slot.rows(), slot.cols()), names, stacked.totalRank(), tally.positions == slot.numel(),
                    agreeHere, conflictHere, tally.mass == 0 ? Double.NaN : tally.discarded / tally.mass,
                    overlapCount == 0 ? Double.NaN : overlapSum / overlapCount,
                    cosineCount == 0 ? Double.NaN : cosineSum / cosineCount));
            spectralSeconds += (t1 - t0) / 1e9;
            elementwiseSeconds += (t2 - t1) / 1e9;
        }

        private double pooledConflict(ElementwiseTally t, int[] present) {
            double opp = 0;
            double both = 0;
            for (int x = 0; x < present.length; x++) {
                for (int y = x + 1; y < present.length; y++) {
                    opp += t.pair(present[x], present[y], ElementwiseTally.OPPOSITE);
                    both += t.pair(present[x], present[y], ElementwiseTally.BOTH);
                }
            }
            return both == 0 ? Double.NaN : opp / both;
        }

        private void foldElementwise(ModuleSlot slot, ElementwiseTally t, int[] present) {
            long numel = slot.numel();
            long count = t.positions;
            boolean exact = count == numel;
            double scale = (double) numel / count;
            agreement.add(exact, numel, count, t.agree, t.multi, t.agree, t.agree, t.multi);
            discarded.add(exact, numel, count, t.discarded, t.mass, t.discardedSq, t.discardedMass, t.massSq);
            for (int i : present) {
                ties[i].add(exact, numel, count, t.tiesDot[i], 0, t.tiesDotSq[i], 0, 0);
                dare[i].add(exact, numel, count, t.dareDot[i], 0, t.dareDotSq[i], 0, 0);
                tiesAlone[i] += scale * t.trimmedL2[i];
                dareAlone[i] += scale * t.dareSelf[i];
                for (int k = 0; k < depth; k++) {
                    prefix[k][i] += scale * t.prefixDot[k][i];
                }
            }
            boolean[] here = new boolean[n];
            for (int i : present) {
                here[i] = true;
            }
            for (PairTotals acc : pairs) {
                int a = acc.a;
                int b = acc.b;
                if (!here[a] && !here[b]) {
                    continue;
                }
                double both = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.BOTH) : 0;
                double opp = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.OPPOSITE) : 0;
                double min = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.MIN) : 0;
                double minSq = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.MIN_SQ) : 0;
                double oppMin = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.OPPOSITE_MIN) : 0;
                double oppMinSq = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.OPPOSITE_MIN_SQ) : 0;
                double oppMinMass = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.OPPOSITE_MIN_MASS) : 0;
                double absProduct = here[a] && here[b] ? t.pair(a, b, ElementwiseTally.ABS_PRODUCT) : 0;
                if (here[a] && here[b]) {
                    acc.rate.add(exact, numel, count, opp, both, opp, opp, both);
                    acc.weighted.add(exact, numel, count, oppMin, min, oppMinSq, oppMinSq, minSq);
                    acc.overlapping += scale * both;
                    if (options.moduleDetail()) {
                        acc.moduleConflict.add(both == 0 ? Double.NaN : opp / both);
                        acc.moduleOverlapping.add(scale * both);
                    }
                }
                double massA = here[a] ? t.trimmedL1[a] : 0;
                double massB = here[b] ? t.trimmedL1[b] : 0;
                double sqA = here[a] ? t.trimmedL2[a] : 0;
                double sqB = here[b] ? t.trimmedL2[b] : 0;
                acc.discarded.add(exact, numel, count, oppMin, massA + massB, oppMinSq, oppMinMass,
                        sqA + sqB + 2 * absProduct);
            }
        }

        AnalysisReport report(double seconds) {
            List<String> names = adapters.stream().map(NamedAdapter::name).toList();
            List<AdapterProfile> profiles = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                profiles.add(profile(i));
            }
            RiskModel model = RiskModel.DEFAULT;
            List<PairReport> pairReports = new ArrayList<>();
            double crosstalk = 0;
            double opposition = 0;
            double signExcess = 0;
            PairReport worst = null;
            for (PairTotals acc : pairs) {
                PairReport p = acc.report(names, gram, weights, model, options.moduleDetail());
                pairReports.add(p);
                if (p.sharedModules() > 0) {
                    crosstalk = Math.max(crosstalk, PairTotals.crosstalk(p));
                }
                opposition = Math.max(opposition, Math.max(0, nanToZero(-p.cosine())));
                signExcess = Math.max(signExcess, Math.max(0, nanToZero(2 * p.signConflictRate() - 1)));
                if (worst == null || p.risk() > worst.risk()) {
                    worst = p;
                }
            }
            CompositionReport composition = composition(names, model, crosstalk, opposition, signExcess, worst);
            AnalysisReport.Settings settings = new AnalysisReport.Settings(options.density(), options.sample(),
                    options.seed(), options.base() == null ? null : options.base().toString(), "tensor", "total");
            int threads = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
            return new AnalysisReport(AnalysisReport.SCHEMA, settings, profiles, pairReports, moduleReports,
                    composition, new AnalysisReport.Timing(seconds, spectralSeconds, elementwiseSeconds, threads));
        }

        private AdapterProfile profile(int i) {
            NamedAdapter a = adapters.get(i);
            List<ModuleSpectrum> ms = spectra.get(i);
            double eff = 0;
            double stable = 0;
            double top = 0;
            int counted = 0;
            for (ModuleSpectrum s : ms) {
                if (!Double.isNaN(s.effectiveRank())) {
                    eff += s.effectiveRank();
                    stable += s.stableRank();
                    top += s.top1EnergyShare();
                    counted++;
                }
            }
            TreeSet<Integer> ranks = new TreeSet<>();
            a.adapter().modules().forEach(m -> ranks.add(m.rank()));
            double relative = targetedBaseEnergy[i] == 0 ? Double.NaN
                    : Math.sqrt(baseEnergy[i] / targetedBaseEnergy[i]);
            return new AdapterProfile(a.name(), a.adapter().directory().toString(), weights[i], ms.size(),
                    new ArrayList<>(ranks), a.adapter().parameterCount(), Math.sqrt(gram[i][i]),
                    counted == 0 ? Double.NaN : eff / counted, counted == 0 ? Double.NaN : stable / counted,
                    counted == 0 ? Double.NaN : top / counted, relative, relativeMax[i], ms);
        }

        private CompositionReport composition(List<String> names, RiskModel model, double crosstalk,
                double opposition, double signExcess, PairReport worst) {
            Map<String, Map<String, Double>> retention = new LinkedHashMap<>();
            Map<String, Map<String, double[]>> retentionCi = new LinkedHashMap<>();
            Map<String, Map<String, Double>> alone = new LinkedHashMap<>();
            double[] linear = new double[n];
            double[] tiesR = new double[n];
            double[] dareR = new double[n];
            double[] tsvR = new double[n];
            double[] tiesA = new double[n];
            double[] dareA = new double[n];
            Map<String, double[]> tiesCi = new LinkedHashMap<>();
            Map<String, double[]> dareCi = new LinkedHashMap<>();
            Map<String, Double> alignment = spectralSkipped == null ? new LinkedHashMap<>() : null;
            for (int i = 0; i < n; i++) {
                double e = gram[i][i];
                double lin = 0;
                for (int j = 0; j < n; j++) {
                    lin += weights[j] * gram[j][i];
                }
                linear[i] = e == 0 ? Double.NaN : lin / e;
                Estimate t = ties[i].knownDenominator(e);
                Estimate d = dare[i].knownDenominator(e);
                tiesR[i] = t.value();
                dareR[i] = d.value();
                tiesCi.put(names.get(i), t.hasInterval() ? new double[] {t.lo(), t.hi()} : null);
                dareCi.put(names.get(i), d.hasInterval() ? new double[] {d.lo(), d.hi()} : null);
                tsvR[i] = e == 0 ? Double.NaN : tsvDot[i] / e;
                tiesA[i] = e == 0 ? Double.NaN : weights[i] * tiesAlone[i] / e;
                dareA[i] = e == 0 ? Double.NaN : weights[i] * dareAlone[i] / e;
                if (alignment != null) {
                    alignment.put(names.get(i), e == 0 ? Double.NaN : Math.sqrt(projectedOnMerge[i] / e));
                }
            }
            retention.put("linear", byName(names, linear));
            retention.put("ties", byName(names, tiesR));
            retention.put("dare_ties", byName(names, dareR));
            if (spectralSkipped == null) {
                retention.put("tsv", byName(names, tsvR));
            }
            retentionCi.put("ties", tiesCi);
            retentionCi.put("dare_ties", dareCi);
            alone.put("linear", byName(names, weights));
            alone.put("ties", byName(names, tiesA));
            alone.put("dare_ties", byName(names, dareA));
            if (spectralSkipped == null) {
                alone.put("tsv", byName(names, weights));
            }
            // candidates for the plan, and the retention gap relative to what each method keeps alone
            List<Recommender.Candidate> candidates = new ArrayList<>();
            candidates.add(new Recommender.Candidate("linear", linear, Map.of()));
            Map<String, Object> tiesParams = new LinkedHashMap<>();
            tiesParams.put("density", options.density());
            tiesParams.put("majority_sign", "total");
            tiesParams.put("sign_election", "unweighted");
            tiesParams.put("disjoint", "count");
            candidates.add(new Recommender.Candidate("ties", tiesR, tiesParams));
            Map<String, Object> dareParams = new LinkedHashMap<>(tiesParams);
            dareParams.put("dare_rescale", "inverse");
            dareParams.put("seed", options.seed());
            candidates.add(new Recommender.Candidate("dare_ties", dareR, dareParams));
            if (spectralSkipped == null) {
                candidates.add(new Recommender.Candidate("tsv", tsvR, Map.of()));
            }
            double relativeGap = Double.POSITIVE_INFINITY;
            for (Recommender.Candidate c : candidates) {
                double[] base = switch (c.method()) {
                    case "ties" -> tiesA;
                    case "dare_ties" -> dareA;
                    default -> weights;
                };
                double[] rel = c.retention();
                double g = Math.min(Recommender.gap(rel, base),
                        Recommender.gap(scaled(rel, Recommender.bestScale(rel, base)), base));
                relativeGap = Math.min(relativeGap, g);
            }
            if (n < 2) {
                relativeGap = 0;
            }
            RiskFeatures features = new RiskFeatures(n, crosstalk, opposition, signExcess, relativeGap,
                    Math.max(0, n - 3));
            double risk = model.score(features);
            Verdict verdict = model.verdict(risk);
            CompositionReport.DepthReport depthReport = DepthGuard.evaluate(names, weights, gram, prefix, tiesA);
            Recommendation rec = Recommender.recommend(names, weights, candidates, verdict, risk, worst, features);
            Estimate agree = agreement.ratio(0, 1);
            Estimate disc = discarded.ratio(0, 1);
            List<String> notes = new ArrayList<>();
            if (spectralSkipped != null) {
                notes.add(spectralSkipped);
            }
            if (options.sample() == 0 && elementwiseSeconds > SLOW_EXACT_SECONDS) {
                notes.add(String.format(Locale.ROOT, "Exact element-wise statistics took %.0f s; --sample 4096 "
                        + "estimates them with 95%% intervals in a small fraction of that.", elementwiseSeconds));
            }
            if (options.sample() > 0) {
                notes.add(String.format(Locale.ROOT, "Element-wise statistics (sign conflicts, agreement, TIES and "
                        + "DARE-TIES retention) were estimated from %d sampled positions per module (seed %d); trim "
                        + "thresholds are the sample's top-%.2f quantile. Intervals are 95%%.", options.sample(),
                        options.seed(), options.density()));
            }
            return new CompositionReport(names, byName(names, weights), agree.value(), interval(agree),
                    disc.value(), interval(disc), retention, retentionCi, alone, alignment, risk,
                    verdict.jsonName(), features.asMap(), model.asMap(), depthReport, rec, notes);
        }
    }

    static double[] scaled(double[] v, double c) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= c;
        }
        return out;
    }

    static double[] interval(Estimate e) {
        return e.hasInterval() ? new double[] {e.lo(), e.hi()} : null;
    }

    private static Map<String, Double> byName(List<String> names, double[] v) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), v[i]);
        }
        return m;
    }

    static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
