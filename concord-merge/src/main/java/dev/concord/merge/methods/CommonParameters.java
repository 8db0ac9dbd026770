package dev.concord.merge.methods;

import dev.concord.merge.ParameterDef;
import dev.concord.merge.ParameterDef.NumberKind;

/** The parameter declarations several methods share, so that names, options, ranges and wording agree. */
final class CommonParameters {
    private CommonParameters() {}

    static ParameterDef density(double defaultValue) {
        return ParameterDef.density(defaultValue, "fraction of entries kept per task vector");
    }

    static ParameterDef lambda() {
        return ParameterDef.lambda();
    }

    static ParameterDef majoritySign() {
        return ParameterDef.choice("majority_sign", "total",
                "sign election: total = sign of the sum, frequency = sign of the sum of signs", "total", "frequency");
    }

    static ParameterDef signElection() {
        return ParameterDef.choice("sign_election", "unweighted",
                "vote on trimmed task vectors (unweighted, PEFT) or on weighted ones (weighted, mergekit)",
                "unweighted", "weighted");
    }

    static ParameterDef disjoint() {
        return ParameterDef.choice("disjoint", "count",
                "divide agreeing entries by their count (count, PEFT), the sum of their weights (weight, mergekit)"
                        + " or nothing (sum, mergekit normalize: false)",
                "count", "weight", "sum");
    }

    static ParameterDef trimScope() {
        return ParameterDef.choice("trim_scope", "tensor",
                "top-k per tensor (tensor, PEFT/mergekit) or over each adapter's whole task vector (model, TIES paper)",
                "tensor", "model");
    }

    static ParameterDef dareRescale() {
        return ParameterDef.choice("dare_rescale", "inverse",
                "rescale survivors by 1/keep-probability (inverse), to the tensor's L1 norm (l1, mergekit) or not (none)",
                "inverse", "l1", "none");
    }

    static ParameterDef q() {
        return new ParameterDef("q", "--q", false, new NumberKind(0, false, Double.POSITIVE_INFINITY, false), null,
                "DAREx-q rescale denominator: survivors are multiplied by 1/q");
    }

    static ParameterDef gamma() {
        return new ParameterDef("gamma", "--gamma", true, new NumberKind(0, true, 1, false), 0.01,
                "fraction of largest-magnitude entries dropped as outliers");
    }

    static ParameterDef epsilon(double defaultValue) {
        return new ParameterDef("epsilon", "--epsilon", true, new NumberKind(0, true, 1, false), defaultValue,
                "keep probabilities span density - epsilon (smallest) to density + epsilon (largest)");
    }

    static ParameterDef scope() {
        return ParameterDef.choice("scope", "row",
                "rank magnitudes per row (row, the papers) or per tensor (tensor, mergekit Breadcrumbs)", "row", "tensor");
    }

    /** mergekit's normalize for methods without sign consensus: divide by the sum of the weights (merge.yaml only). */
    static ParameterDef normalize() {
        return new ParameterDef("normalize", null, false,
                new ParameterDef.ChoiceKind(java.util.List.of("true", "false")), "false",
                "divide the weighted sum by the sum of the weights (merge.yaml; mergekit's normalize)");
    }
}
