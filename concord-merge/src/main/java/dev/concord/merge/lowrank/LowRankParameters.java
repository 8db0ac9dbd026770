package dev.concord.merge.lowrank;

import dev.concord.merge.ParameterDef;
import dev.concord.merge.ParameterDef.IntegerKind;
import java.util.List;

/**
 * The parameters of the low-rank methods. Names and options that other methods also use (lambda, density,
 * majority_sign, sign_election, disjoint) are spelled exactly as theirs, so one command-line option or merge.yaml
 * key means the same thing everywhere. Counts use 0 for "the method's own default", because that default
 * depends on the module (its input ranks).
 */
final class LowRankParameters {
    static final String TSV_KEEP = "tsv_keep";
    static final String INNER = "inner";
    static final String RANK = "rank";
    static final String REWEIGHT = "reweight";

    private LowRankParameters() {}

    static ParameterDef lambda() {
        return ParameterDef.lambda();
    }

    static ParameterDef tsvKeep() {
        return new ParameterDef(TSV_KEEP, "--tsv-keep", false, new IntegerKind(0), 0,
                "singular triplets kept per task (0 = all of the task's rank, at most min(rows, cols) / tasks)");
    }

    static ParameterDef knotsDensity() {
        return ParameterDef.density(0.2, "fraction of each task's aligned right factor kept (ties: top magnitudes;"
                + " dare_ties: keep probability)");
    }

    static ParameterDef inner() {
        return ParameterDef.choice(INNER, "ties", "merge of the aligned right factors: ties or dare_ties",
                "ties", "dare_ties");
    }

    static ParameterDef majoritySign() {
        return ParameterDef.choice("majority_sign", "total",
                "sign election: total = sign of the sum, frequency = sign of the sum of signs", "total", "frequency");
    }

    static ParameterDef signElection() {
        return ParameterDef.choice("sign_election", "unweighted",
                "vote on the sparsified factors (unweighted, PEFT) or on weighted ones (weighted, mergekit)",
                "unweighted", "weighted");
    }

    static ParameterDef disjoint() {
        return ParameterDef.choice("disjoint", "count",
                "divide agreeing entries by their count (count), the sum of their weights (weight) or nothing (sum)",
                "count", "weight", "sum");
    }

    static ParameterDef legoRank() {
        return new ParameterDef(RANK, "--rank", false, new IntegerKind(0), 0,
                "clusters, i.e. the merged rank per module (0 = the module's largest input rank)");
    }

    /** merge.yaml only (no command-line option): which of the paper's two scale corrections to apply. */
    static ParameterDef reweight() {
        return new ParameterDef(REWEIGHT, null, false,
                new ParameterDef.ChoiceKind(List.of("dual", "parameter", "output", "none")), "dual",
                "LoRA-LEGO scale corrections: dual (both), parameter (centroid norms), output (total energy) or none");
    }
}
