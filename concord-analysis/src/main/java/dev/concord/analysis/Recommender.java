package dev.concord.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the composition's numbers into a plan. Each evaluated method is scored by its worst-case gap
 * max_i |1 − ρ_i / w_i| (how far some adapter ends up from the share of its effect it was given); linear is also
 * tried with all weights scaled by the one factor c that minimises that gap (c = 2 / (min + max) of the relative
 * retentions), which fixes the overshoot of adapters that point the same way. The method with the smallest gap
 * wins, except that an exact low-rank linear merge is preferred when it is within {@link #PREFER_EXACT} of the best.
 * The set is served separately instead when the verdict is {@code conflict}, when even the best merge leaves some
 * adapter more than {@link #MAX_GAP} away, or when it has more than {@link #MAX_MERGE_SET} adapters.
 */
public final class Recommender {
    static final double PREFER_EXACT = 0.05;
    static final double MAX_GAP = 0.5;
    static final int MAX_MERGE_SET = 8;

    private Recommender() {}

    /** One method's predicted retention, ready to be compared. */
    record Candidate(String method, double[] retention, Map<String, Object> parameters) {
        double gap(double[] weights) {
            return Recommender.gap(retention, weights);
        }
    }

    /** max_i |1 − ρ_i / w_i| over adapters with w_i ≠ 0 and defined ρ_i (0 if none). */
    static double gap(double[] retention, double[] weights) {
        double g = 0;
        for (int i = 0; i < retention.length; i++) {
            if (weights[i] != 0 && !Double.isNaN(retention[i])) {
                g = Math.max(g, Math.abs(1 - retention[i] / weights[i]));
            }
        }
        return g;
    }

    /** The factor c that minimises max_i |1 − c·x_i| for x_i = ρ_i / w_i, or 1 when that needs c ≤ 0. */
    static double bestScale(double[] retention, double[] weights) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < retention.length; i++) {
            if (weights[i] != 0 && !Double.isNaN(retention[i])) {
                double x = retention[i] / weights[i];
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        if (!(lo > 0) || !Double.isFinite(hi)) {
            return 1;
        }
        return 2 / (lo + hi);
    }

    static Recommendation recommend(List<String> names, double[] weights, List<Candidate> candidates, Verdict verdict,
            double risk, PairReport worstPair, RiskFeatures features) {
        int n = names.size();
        List<String> reasons = new ArrayList<>();
        List<Candidate> all = new ArrayList<>(candidates);
        Candidate linear = candidates.stream().filter(c -> c.method().equals("linear")).findFirst().orElse(null);
        if (linear != null) {
            double c = bestScale(linear.retention(), weights);
            if (Math.abs(c - 1) > 0.02) {
                double[] scaled = linear.retention().clone();
                Map<String, Object> wmap = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    scaled[i] *= c;
                    wmap.put(names.get(i), round(weights[i] * c));
                }
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("weights", wmap);
                all.add(new Candidate("linear", scaled, params));
            }
        }
        Candidate best = null;
        for (Candidate c : all) {
            if (best == null || c.gap(weights) < best.gap(weights)) {
                best = c;
            }
        }
        Candidate bestLinear = null;
        for (Candidate c : all) {
            if (c.method().equals("linear") && (bestLinear == null || c.gap(weights) < bestLinear.gap(weights))) {
                bestLinear = c;
            }
        }
        if (best != null && bestLinear != null && bestLinear.gap(weights) <= best.gap(weights) + PREFER_EXACT) {
            best = bestLinear;
        }
        double bestGap = best == null ? Double.NaN : best.gap(weights);
        if (n < 2) {
            reasons.add("Only one adapter was given: there is nothing to merge it with; apply or serve it as it is.");
            return new Recommendation(Recommendation.SERVE_SEPARATELY, null, Map.of(), Map.of(), reasons);
        }
        boolean tooMany = n > MAX_MERGE_SET;
        if (verdict == Verdict.CONFLICT || tooMany || best == null || bestGap > MAX_GAP) {
            // cite the worst pair only when it is itself a problem (a large set can be risky for depth alone)
            if (worstPair != null && !Verdict.COMPATIBLE.jsonName().equals(worstPair.verdict())) {
                reasons.add(pairSentence(worstPair));
            }
            if (tooMany) {
                reasons.add(String.format(Locale.ROOT, "%d adapters are far more than one merge holds well "
                        + "(more than %d); load them side by side and compose per request.", n, MAX_MERGE_SET));
            }
            if (best != null && bestGap > MAX_GAP) {
                reasons.add(String.format(Locale.ROOT, "Even the best merge (%s) leaves some adapter %s away "
                        + "from its own effect, so a merged model would lose a skill.", best.method(), percent(bestGap)));
            }
            if (verdict == Verdict.CONFLICT) {
                reasons.add(String.format(Locale.ROOT, "The risk score is %.2f (conflict); serving the adapters "
                        + "separately keeps each one exact.", risk));
            }
            return new Recommendation(Recommendation.SERVE_SEPARATELY, null, Map.of(), Map.of(), reasons);
        }
        Map<String, Object> params = new LinkedHashMap<>(best.parameters());
        Map<String, Double> expected = new LinkedHashMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            expected.put(names.get(i), best.retention()[i]);
            if (weights[i] != 0 && !Double.isNaN(best.retention()[i])) {
                double rel = best.retention()[i] / weights[i];
                lo = Math.min(lo, rel);
                hi = Math.max(hi, rel);
            }
        }
        reasons.add(String.format(Locale.ROOT, "%s keeps every adapter within %s of its intended effect "
                + "(retention %.2f to %.2f of the weight given).", describe(best), percent(bestGap), lo, hi));
        if (best.method().equals("linear") && best.parameters().containsKey("weights")) {
            reasons.add(String.format(Locale.ROOT, "The adapters overlap and point the same way (max cross-talk "
                    + "%.2f), so a plain sum would miss by %s; the scaled weights remove most of that.",
                    features.crosstalk(), percent(linear == null ? 0 : linear.gap(weights))));
        } else if (best.method().equals("linear")) {
            String how = features.crosstalk() < 0.1 ? "barely interact" : "share some directions but do not cancel";
            reasons.add(String.format(Locale.ROOT, "Their updates %s (max cross-talk %.2f, max opposition %.2f), so"
                    + " the exact low-rank sum keeps them and stays an adapter; element-wise methods would only add"
                    + " trimming loss.", how, features.crosstalk(), features.opposition()));
        } else {
            reasons.add(String.format(Locale.ROOT, "It beats the exact linear sum (worst gap %s) because it "
                    + "resolves sign conflicts (max excess %.2f) instead of letting them cancel.",
                    linear == null ? "-" : percent(linear.gap(weights)), features.signExcess()));
        }
        if (verdict == Verdict.CAUTION && worstPair != null) {
            reasons.add("Caution: " + pairSentence(worstPair) + " Validate that pair's skills after merging.");
        }
        return new Recommendation(Recommendation.MERGE, best.method(), params, expected, reasons);
    }

    private static String describe(Candidate c) {
        return switch (c.method()) {
            case "linear" -> c.parameters().containsKey("weights") ? "A linear merge with scaled weights"
                    : "A linear merge (task arithmetic)";
            case "ties" -> "TIES";
            case "dare_ties" -> "DARE-TIES";
            case "tsv" -> "TSV-Merge";
            default -> c.method();
        };
    }

    static String pairSentence(PairReport p) {
        String how;
        if (p.cosine() < -0.2) {
            how = String.format(Locale.ROOT, "point in opposite directions (cosine %.2f)", p.cosine());
        } else if (!Double.isNaN(p.subspaceOverlap()) && p.subspaceOverlap() > 0.3) {
            how = String.format(Locale.ROOT, "share most of their subspaces (overlap %.2f, cosine %.2f)",
                    p.subspaceOverlap(), p.cosine());
        } else {
            how = String.format(Locale.ROOT, "disagree on %.0f%% of the signs they both keep",
                    p.signConflictRate() * 100);
        }
        return String.format(Locale.ROOT, "'%s' and '%s' %s; pair risk %.2f.", p.a(), p.b(), how, p.risk());
    }

    /** "0.3%", "12%": whole percents unless that would read as 0%. */
    static String percent(double fraction) {
        double p = fraction * 100;
        return p < 1 ? String.format(Locale.ROOT, "%.1f%%", p) : String.format(Locale.ROOT, "%.0f%%", p);
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
