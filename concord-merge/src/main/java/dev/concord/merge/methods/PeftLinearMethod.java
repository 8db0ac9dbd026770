package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.tensor.FloatMatrix;
import java.util.List;

/**
 * {@code peft_linear}: PEFT's factor-wise {@code add_weighted_adapter(combination_type="linear")}:
 * A' = Σ_i sign(w_i s_i)·sqrt(|w_i s_i|)·A_i, B' = Σ_i sqrt(|w_i s_i|)·B_i, result B'·A'. Not the weighted sum
 * of the task vectors (B'·A' has cross terms B_i·A_j); kept so users can compare with and migrate from PEFT.
 */
public final class PeftLinearMethod implements MergeMethod {
    @Override
    public String name() {
        return "peft_linear";
    }

    @Override
    public String summary() {
        return "PEFT's factor-wise linear merge (inexact: cross terms); equal ranks required";
    }

    @Override
    public String reference() {
        return "PEFT LoraModel.add_weighted_adapter(combination_type=\"linear\")";
    }

    @Override
    public List<ParameterDef> parameters() {
        return List.of();
    }

    @Override
    public boolean requiresEqualRanks() {
        return true;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        FloatMatrix a = null;
        FloatMatrix b = null;
        for (int i = 0; i < in.count(); i++) {
            if (!in.present(i)) {
                continue;
            }
            a = addScaled(a, PeftFactorwise.a(in, i), PeftFactorwise.weightA(in, i));
            b = addScaled(b, PeftFactorwise.b(in, i), PeftFactorwise.weightB(in, i));
        }
        return new ModuleResult.LowRank(PeftFactorwise.product(in, a, b));
    }

    private static FloatMatrix addScaled(FloatMatrix acc, FloatMatrix x, double w) {
        float[] d = x.data();
        float[] out = acc == null ? new float[d.length] : acc.data();
        for (int j = 0; j < d.length; j++) {
            out[j] = (float) (out[j] + w * d[j]);
        }
        return new FloatMatrix(x.rows(), x.cols(), out);
    }
}
