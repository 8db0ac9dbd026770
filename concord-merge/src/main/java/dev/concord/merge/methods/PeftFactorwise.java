package dev.concord.merge.methods;

import dev.concord.adapter.LoraModule;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.TaskVector;
import dev.concord.merge.ModuleInputs;
import dev.concord.tensor.FloatMatrix;

/**
 * The factors of a module as PEFT's {@code add_weighted_adapter} sees them: A [r, in] and B [out, r] as stored,
 * the adapter's scaling s, and the weight split PEFT uses (sqrt(|w·s|) on both factors, the sign of w·s on A
 * only). Also turns merged factors back into a task vector in the module's orientation.
 */
final class PeftFactorwise {
    private PeftFactorwise() {}

    /** A as stored ([r, in] for linear layers). */
    static FloatMatrix a(ModuleInputs in, int i) {
        LoraModule m = in.source(i);
        if (m != null) {
            return m.a();
        }
        return in.taskVector(i).right();
    }

    /** B as stored ([out, r] for linear layers). */
    static FloatMatrix b(ModuleInputs in, int i) {
        LoraModule m = in.source(i);
        if (m != null) {
            return m.b();
        }
        return in.taskVector(i).left();
    }

    static double scaling(ModuleInputs in, int i) {
        LoraModule m = in.source(i);
        return m != null ? m.scaling() : in.taskVector(i).scale();
    }

    /** PEFT's weight for A: sign(w·s)·sqrt(|w·s|) (a zero product counts as +). */
    static double weightA(ModuleInputs in, int i) {
        double ws = in.weight(i) * scaling(in, i);
        return ws >= 0 ? Math.sqrt(Math.abs(ws)) : -Math.sqrt(Math.abs(ws));
    }

    /** PEFT's weight for B: sqrt(|w·s|). */
    static double weightB(ModuleInputs in, int i) {
        return Math.sqrt(Math.abs(in.weight(i) * scaling(in, i)));
    }

    /** B'·A' as a task vector in the orientation of {@link LoraModule#taskVector()}. */
    static TaskVector product(ModuleInputs in, FloatMatrix a, FloatMatrix b) {
        boolean transposed = in.kind() == ModuleKind.EMBEDDING || in.fanInFanOut();
        return transposed ? TaskVector.of(1.0, a.transpose(), b.transpose()) : TaskVector.of(1.0, b, a);
    }
}
