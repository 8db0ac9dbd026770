package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.MajoritySign;
import dev.concord.merge.ops.TiesConsensus;
import dev.concord.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code peft_ties}: PEFT's factor-wise {@code add_weighted_adapter(combination_type="ties")}: PEFT's
 * {@code ties} applied separately to the stack of A factors (weights sign(w_i s_i)·sqrt(|w_i s_i|)) and to the
 * stack of B factors (weights sqrt(|w_i s_i|)), result B'·A'. Trim, election and disjoint mean run on the small
 * factor matrices exactly as PEFT's merge_utils does.
 */
public final class PeftTiesMethod implements MergeMethod {
    @Override
    public String name() {
        return "peft_ties";
    }

    @Override
    public String summary() {
        return "PEFT's factor-wise TIES merge of the A and B factors (inexact); equal ranks required";
    }

    @Override
    public String reference() {
        return "PEFT LoraModel.add_weighted_adapter(combination_type=\"ties\")";
    }

    @Override
    public List<ParameterDef> parameters() {
        return List.of(CommonParameters.density(0.2), CommonParameters.majoritySign());
    }

    @Override
    public boolean requiresEqualRanks() {
        return true;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        List<FloatMatrix> as = new ArrayList<>();
        List<FloatMatrix> bs = new ArrayList<>();
        List<Double> wa = new ArrayList<>();
        List<Double> wb = new ArrayList<>();
        List<Double> density = new ArrayList<>();
        for (int i = 0; i < in.count(); i++) {
            if (in.present(i)) {
                as.add(PeftFactorwise.a(in, i));
                bs.add(PeftFactorwise.b(in, i));
                wa.add(PeftFactorwise.weightA(in, i));
                wb.add(PeftFactorwise.weightB(in, i));
                density.add(in.params().number("density", i));
            }
        }
        TiesConsensus consensus = TiesConsensus.peft(
                MajoritySign.valueOf(in.params().choice("majority_sign").toUpperCase(Locale.ROOT)));
        FloatMatrix a = ties(as, wa, density, consensus);
        FloatMatrix b = ties(bs, wb, density, consensus);
        return new ModuleResult.LowRank(PeftFactorwise.product(in, a, b));
    }

    /** PEFT's merge_utils.ties on whole (small) factor matrices. */
    static FloatMatrix ties(List<FloatMatrix> factors, List<Double> weights, List<Double> density,
            TiesConsensus consensus) {
        int n = factors.size();
        int len = factors.getFirst().data().length;
        float[][] stack = new float[n][];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            float[] v = factors.get(i).data().clone();
            double d = density.get(i);
            if (d < 1) {
                MagnitudeCut cut = MagnitudeCut.ofTopK(v, 0, len, MagnitudeCut.keepCount(d, len));
                for (int j = 0; j < len; j++) {
                    if (!cut.keeps(Math.abs(v[j]), j)) {
                        v[j] = 0f;
                    }
                }
            }
            stack[i] = v;
            w[i] = weights.get(i);
        }
        float[] out = new float[len];
        consensus.combine(stack, 0, len, w, out, 0);
        FloatMatrix first = factors.getFirst();
        return new FloatMatrix(first.rows(), first.cols(), out);
    }
}
