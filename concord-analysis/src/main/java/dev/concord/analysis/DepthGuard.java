package dev.concord.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The composition-depth guard. Merged adapters tend to hold up for two or three skills and then fall off a cliff
 * around the fourth; this guard warns when the set is that large, and it predicts retention as adapters are added
 * one at a time (in input order, so put the ones that matter most first) to point at the adapter whose addition
 * costs out of proportion.
 *
 * <p>The curve's fidelity at depth k is the mean over the first k adapters of 1 − |1 − ρ_i(k)/ρ_i(1)|, where ρ_i(k)
 * is adapter i's retention in the merge of the first k adapters and ρ_i(1) its retention merged alone: 1 means
 * every adapter keeps exactly what the method keeps of it alone. A step is a cliff when fidelity drops by at least
 * {@link #CLIFF_DROP} and by more than {@link #CLIFF_RATIO} times the mean of the earlier drops (or, at the second
 * adapter, by at least {@link #FIRST_STEP_CLIFF}).
 */
public final class DepthGuard {
    /** From this many adapters on, the guard warns whatever the numbers say. */
    public static final int LARGE_SET = 4;
    /** TIES prefixes are tracked element-wise for at most this many leading adapters (O(k²) per position). */
    public static final int MAX_ELEMENTWISE_DEPTH = 8;
    static final double CLIFF_DROP = 0.08;
    static final double CLIFF_RATIO = 2.0;
    static final double FIRST_STEP_CLIFF = 0.15;

    private DepthGuard() {}

    /**
     * @param gram G[i][j] = <tau_i, tau_j> summed over modules (G[i][i] = ‖tau_i‖²)
     * @param tiesPrefix tiesPrefix[k−1][i] = <TIES merge of the first k adapters, tau_i>, for k ≤ its length
     * @param tiesAlone TIES retention of each adapter merged alone
     */
    static CompositionReport.DepthReport evaluate(List<String> names, double[] weights, double[][] gram,
            double[][] tiesPrefix, double[] tiesAlone) {
        int n = names.size();
        List<DepthPoint> curve = new ArrayList<>();
        double[] linearFidelity = new double[n + 1];
        double[] tiesFidelity = new double[n + 1];
        for (int k = 1; k <= n; k++) {
            double lSum = 0;
            double lMin = Double.POSITIVE_INFINITY;
            double tSum = 0;
            double tMin = Double.POSITIVE_INFINITY;
            double lFid = 0;
            double tFid = 0;
            int counted = 0;
            boolean ties = k <= tiesPrefix.length;
            for (int i = 0; i < k; i++) {
                double e = gram[i][i];
                if (e == 0) {
                    continue;
                }
                double lin = 0;
                for (int j = 0; j < k; j++) {
                    lin += weights[j] * gram[j][i];
                }
                lin /= e;
                lSum += lin;
                lMin = Math.min(lMin, lin);
                lFid += fidelity(lin, weights[i]);
                if (ties) {
                    double t = tiesPrefix[k - 1][i] / e;
                    double alone = tiesAlone[i];
                    tSum += t;
                    tMin = Math.min(tMin, t);
                    tFid += alone == 0 ? 0 : fidelity(t, alone);
                }
                counted++;
            }
            double nan = Double.NaN;
            curve.add(new DepthPoint(k, names.get(k - 1), counted == 0 ? nan : lSum / counted,
                    counted == 0 ? nan : lMin, counted == 0 || !ties ? nan : tSum / counted,
                    counted == 0 || !ties ? nan : tMin));
            linearFidelity[k] = counted == 0 ? 1 : lFid / counted;
            tiesFidelity[k] = counted == 0 || !ties ? Double.NaN : tFid / counted;
        }
        List<String> warnings = new ArrayList<>();
        if (n >= LARGE_SET) {
            warnings.add(n + " adapters in one merge: compositions tend to fall off a retention cliff around the "
                    + "fourth adapter; merge fewer, or validate every skill after merging.");
        }
        String cliff = null;
        int tiesDepth = Math.min(n, tiesPrefix.length);
        int at = cliff(tiesFidelity, tiesDepth);
        String series = "TIES";
        double[] fid = tiesFidelity;
        int linearAt = cliff(linearFidelity, n);
        if (at < 0 || (linearAt > 0 && linearAt < at)) {
            at = linearAt;
            series = "linear";
            fid = linearFidelity;
        }
        if (at > 0) {
            cliff = names.get(at - 1);
            warnings.add(String.format(Locale.ROOT,
                    "adding '%s' as adapter #%d drops the predicted %s fidelity from %.2f to %.2f, more than the "
                            + "earlier steps; consider leaving it out or serving it separately.",
                    cliff, at, series, fid[at - 1], fid[at]));
        }
        if (n > tiesPrefix.length && tiesPrefix.length > 0) {
            warnings.add("the TIES depth curve covers the first " + tiesPrefix.length + " adapters only.");
        }
        return new CompositionReport.DepthReport(curve, cliff, warnings);
    }

    /** 1 − |1 − ρ/target|: 1 when the adapter keeps exactly its target, lower for loss and for overshoot alike. */
    static double fidelity(double retention, double target) {
        if (target == 0) {
            return retention == 0 ? 1 : 0;
        }
        return 1 - Math.abs(1 - retention / target);
    }

    /** The first depth k ≥ 2 whose drop in fidelity is out of proportion, or −1. */
    static int cliff(double[] fidelity, int depth) {
        double dropSum = 0;
        for (int k = 2; k <= depth; k++) {
            if (Double.isNaN(fidelity[k]) || Double.isNaN(fidelity[k - 1])) {
                return -1;
            }
            double drop = fidelity[k - 1] - fidelity[k];
            boolean cliff = k == 2 ? drop >= FIRST_STEP_CLIFF
                    : drop >= CLIFF_DROP && drop > CLIFF_RATIO * Math.max(dropSum / (k - 2), 0.02);
            if (cliff) {
                return k;
            }
            dropSum += Math.max(0, drop);
        }
        return -1;
    }
}
