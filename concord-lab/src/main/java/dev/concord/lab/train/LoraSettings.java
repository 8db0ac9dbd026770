package dev.concord.lab.train;

import dev.concord.error.InvalidInputException;
import dev.concord.model.weights.Projection;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The shape of a LoRA adapter the trainer learns: its rank, alpha (the update is {@code (alpha / rank)·B·A}) and the
 * projections it adapts in every layer.
 */
public record LoraSettings(int rank, double alpha, Set<Projection> targets) {
    /** The recipe's adapters: rank 8, alpha 16, all seven projections. */
    public static final LoraSettings DEFAULT = new LoraSettings(8, 16, EnumSet.allOf(Projection.class));

    public LoraSettings {
        if (rank < 1) {
            throw new InvalidInputException("LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new InvalidInputException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (targets.isEmpty()) {
            throw new InvalidInputException("LoRA needs at least one target projection");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** {@code alpha / rank}. */
    public double scaling() {
        return alpha / rank;
    }

    /** The targets in projection order (q, k, v, o, gate, up, down). */
    public List<Projection> orderedTargets() {
        return EnumSet.copyOf(targets).stream().toList();
    }

    /** The PEFT names of the targets, e.g. {@code q_proj}, in projection order. */
    public List<String> targetNames() {
        return orderedTargets().stream().map(p -> p.module().substring(p.module().indexOf('.') + 1)).toList();
    }

    /** The projection named {@code q_proj}, {@code gate_proj}, …; an unknown name is bad input. */
    public static Projection projectionNamed(String name) {
        for (Projection p : Projection.values()) {
            if (p.module().endsWith("." + name)) {
                return p;
            }
        }
        throw new InvalidInputException("unknown LoRA target '" + name
                + "' (known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)");
    }
}
