package dev.concord.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * One pair's sums over the modules, folded by {@link ConflictAnalyzer} module by module and turned into the
 * pair's {@link PairReport} at the end: pooled inner product, overlaps averaged over shared modules, projections for
 * the alignment ratios, TSV interference, and the element-wise ratio estimates.
 */
final class PairTotals {
    final int a;
    final int b;
    double inner;
    int shared;
    double overlapColumns;
    int overlapColumnsCount;
    double overlapRows;
    int overlapRowsCount;
    double projectedAinB;
    double projectedBinA;
    double interference;
    double sigmaMass;
    double overlapping;
    final RatioEstimate rate = new RatioEstimate();
    final RatioEstimate weighted = new RatioEstimate();
    final RatioEstimate discarded = new RatioEstimate();
    final List<String> moduleNames = new ArrayList<>();
    final List<PairSpectral> moduleSpectral = new ArrayList<>();
    final List<Double> moduleCosine = new ArrayList<>();
    final List<Double> moduleConflict = new ArrayList<>();
    final List<Double> moduleOverlapping = new ArrayList<>();

    PairTotals(int a, int b) {
        this.a = a;
        this.b = b;
    }

    void addSpectral(PairSpectral s, TaskBasis ba, TaskBasis bb) {
        inner += s.inner();
        shared++;
        if (!Double.isNaN(s.overlapColumns())) {
            overlapColumns += s.overlapColumns();
            overlapColumnsCount++;
        }
        if (!Double.isNaN(s.overlapRows())) {
            overlapRows += s.overlapRows();
            overlapRowsCount++;
        }
        projectedAinB += s.projectedAinB();
        projectedBinA += s.projectedBinA();
        interference += s.tsvInterference();
        for (double v : ba.sigma()) {
            sigmaMass += v;
        }
        for (double v : bb.sigma()) {
            sigmaMass += v;
        }
    }

    static double crosstalk(PairReport p) {
        if (Double.isNaN(p.subspaceOverlap()) || Double.isNaN(p.subspaceOverlapRow())) {
            return 0;
        }
        double cos = Double.isNaN(p.cosine()) ? 0 : Math.abs(p.cosine());
        return Math.sqrt(p.subspaceOverlap() * p.subspaceOverlapRow()) * (1 - cos);
    }

    PairReport report(List<String> names, double[][] gram, double[] w, RiskModel model, boolean detail) {
        double ea = gram[a][a];
        double eb = gram[b][b];
        double cosine = inner / Math.sqrt(ea * eb);
        Estimate r = rate.ratio(0, 1);
        Estimate wr = weighted.ratio(0, 1);
        Estimate d = discarded.ratio(0, 1);
        double linA = ea == 0 ? Double.NaN : (w[a] * ea + w[b] * inner) / ea;
        double linB = eb == 0 ? Double.NaN : (w[b] * eb + w[a] * inner) / eb;
        double alignA = ea == 0 ? Double.NaN : Math.sqrt(projectedAinB / ea);
        double alignB = eb == 0 ? Double.NaN : Math.sqrt(projectedBinA / eb);
        List<PairModule> modules = null;
        if (detail) {
            modules = new ArrayList<>();
            for (int m = 0; m < moduleNames.size(); m++) {
                PairSpectral s = moduleSpectral.get(m);
                modules.add(new PairModule(moduleNames.get(m), s.inner(), moduleCosine.get(m),
                        s.overlapColumns(), s.overlapRows(), moduleConflict.get(m), moduleOverlapping.get(m),
                        s.tsvInterference()));
            }
        }
        double nan = Double.NaN;
        PairReport draft = new PairReport(names.get(a), names.get(b), cosine, inner, shared,
                overlapColumnsCount == 0 ? nan : overlapColumns / overlapColumnsCount,
                overlapRowsCount == 0 ? nan : overlapRows / overlapRowsCount,
                (alignA + alignB) / 2, alignA, alignB, r.value(), ConflictAnalyzer.interval(r), wr.value(), ConflictAnalyzer.interval(wr),
                overlapping, shared == 0 ? nan : interference, sigmaMass == 0 ? nan : interference / sigmaMass,
                d.value(), ConflictAnalyzer.interval(d), linA, linB, nan, null, modules);
        double[] lin = {linA, linB};
        double[] pw = {w[a], w[b]};
        double gap = Math.min(Recommender.gap(lin, pw),
                Recommender.gap(ConflictAnalyzer.scaled(lin, Recommender.bestScale(lin, pw)), pw));
        RiskFeatures f = new RiskFeatures(2, crosstalk(draft), Math.max(0, ConflictAnalyzer.nanToZero(-cosine)),
                Math.max(0, ConflictAnalyzer.nanToZero(2 * r.value() - 1)), gap, 0);
        double risk = model.score(f);
        return new PairReport(draft.a(), draft.b(), draft.cosine(), draft.innerProduct(), draft.sharedModules(),
                draft.subspaceOverlap(), draft.subspaceOverlapRow(), draft.subspaceAlignment(),
                draft.alignmentAInB(), draft.alignmentBInA(), draft.signConflictRate(),
                draft.signConflictRateCi(), draft.signConflictWeighted(), draft.signConflictWeightedCi(),
                draft.overlappingPositions(), draft.tsvInterference(), draft.tsvInterferenceRelative(),
                draft.tiesDiscardedMass(), draft.tiesDiscardedMassCi(), linA, linB, risk,
                model.verdict(risk).jsonName(), modules);
    }
}
