package dev.concord.merge.methods;

import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.elementwise.Combination;
import dev.concord.merge.elementwise.ElementwiseMerge;
import dev.concord.merge.elementwise.Sparsifier;
import dev.concord.merge.ops.DisjointMean;
import dev.concord.merge.ops.MajoritySign;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.merge.ops.TiesConsensus;
import java.util.List;
import java.util.Locale;

/**
 * The shape every element-wise method shares (mergekit's "generalized task arithmetic"): sparsify each task
 * vector, then either sum with the weights or run TIES' sign consensus, then multiply by λ. Subclasses choose the
 * sparsifier and whether consensus is used; everything else, including the dense, re-readable result, is here.
 */
abstract class ElementwiseMethod implements MergeMethod {
    private final String name;
    private final String summary;
    private final String reference;
    private final boolean consensus;
    private final List<ParameterDef> parameters;

    ElementwiseMethod(String name, String summary, String reference, boolean consensus, List<ParameterDef> own) {
        this.name = name;
        this.summary = summary;
        this.reference = reference;
        this.consensus = consensus;
        java.util.ArrayList<ParameterDef> all = new java.util.ArrayList<>(own);
        all.add(CommonParameters.lambda());
        if (consensus) {
            all.add(CommonParameters.majoritySign());
            all.add(CommonParameters.signElection());
            all.add(CommonParameters.disjoint());
        } else {
            all.add(CommonParameters.normalize());
        }
        this.parameters = List.copyOf(all);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String summary() {
        return summary;
    }

    @Override
    public final String reference() {
        return reference;
    }

    @Override
    public final List<ParameterDef> parameters() {
        return parameters;
    }

    /** The sparsifier of adapter i on this module (only called for adapters present on it). */
    abstract Sparsifier sparsifier(ModuleInputs inputs, int adapter);

    @Override
    public ModuleResult merge(ModuleInputs in) {
        ModuleParameters p = in.params();
        Sparsifier[] s = new Sparsifier[in.count()];
        for (int i = 0; i < in.count(); i++) {
            if (in.present(i)) {
                s[i] = sparsifier(in, i);
            }
        }
        double lambda = p.number("lambda");
        Combination combination;
        if (consensus) {
            combination = Combination.ties(new TiesConsensus(
                    MajoritySign.valueOf(p.choice("majority_sign").toUpperCase(Locale.ROOT)),
                    p.choice("sign_election").equals("weighted"),
                    DisjointMean.valueOf(p.choice("disjoint").toUpperCase(Locale.ROOT))));
        } else {
            combination = Combination.LINEAR;
            if (p.choice("normalize").equals("true")) {
                lambda /= LinearSums.normalizer(in);
            }
        }
        return new ModuleResult.Dense(new ElementwiseMerge(in, s, combination, lambda).prepare());
    }

    /** The mask stream of adapter i on this module: keyed by seed, purpose, module name and adapter index. */
    static MaskRandom rng(ModuleInputs in, long stream, int adapter) {
        return MaskRandom.of(in.seed(), stream, in.module(), adapter);
    }
}
