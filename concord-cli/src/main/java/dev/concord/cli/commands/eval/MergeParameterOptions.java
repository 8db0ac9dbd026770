package dev.concord.cli.commands.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The merge parameters {@code concord eval --merge METHOD} accepts: the same option names and meanings as
 * {@code concord merge} (see its help and docs/merge-methods.md), handed to the method by parameter name.
 */
public final class MergeParameterOptions {
    @Option(names = "--density", paramLabel = "D", description = "Fraction kept, in (0, 1] (as concord merge).")
    String density;

    @Option(names = "--majority-sign", paramLabel = "total|frequency", description = "TIES sign election (as concord merge).")
    String majoritySign;

    @Option(names = "--sign-election", paramLabel = "unweighted|weighted", description = "Vote on trimmed or weighted task vectors.")
    String signElection;

    @Option(names = "--disjoint", paramLabel = "count|weight|sum", description = "Divisor of agreeing entries.")
    String disjoint;

    @Option(names = "--trim-scope", paramLabel = "tensor|model", description = "Top-k per tensor or per whole adapter.")
    String trimScope;

    @Option(names = "--dare-rescale", paramLabel = "inverse|l1|none", description = "DARE/DELLA survivor rescaling.")
    String dareRescale;

    @Option(names = "--q", paramLabel = "Q", description = "DAREx-q rescale denominator (darex, darex_ties).")
    String q;

    @Option(names = "--gamma", paramLabel = "G", description = "Breadcrumbs outlier fraction.")
    String gamma;

    @Option(names = "--epsilon", paramLabel = "E", description = "DELLA keep-probability spread.")
    String epsilon;

    @Option(names = "--scope", paramLabel = "row|tensor", description = "Breadcrumbs/DELLA magnitude ranking scope.")
    String scope;

    @Option(names = "--lambda", paramLabel = "L", description = "Scale of the merged task vector.")
    String lambda;

    @Option(names = "--tsv-keep", paramLabel = "K", description = "tsv: singular triplets kept per task.")
    String tsvKeep;

    @Option(names = "--inner", paramLabel = "ties|dare_ties", description = "knots: inner merge.")
    String inner;

    /** The parameters the user set, by concord-merge parameter name. */
    public Map<String, Object> values() {
        Map<String, Object> v = new LinkedHashMap<>();
        put(v, "density", density);
        put(v, "majority_sign", majoritySign);
        put(v, "sign_election", signElection);
        put(v, "disjoint", disjoint);
        put(v, "trim_scope", trimScope);
        put(v, "dare_rescale", dareRescale);
        put(v, "q", q);
        put(v, "gamma", gamma);
        put(v, "epsilon", epsilon);
        put(v, "scope", scope);
        put(v, "lambda", lambda);
        put(v, "tsv_keep", tsvKeep);
        put(v, "inner", inner);
        return v;
    }

    private static void put(Map<String, Object> m, String name, String value) {
        if (value != null) {
            m.put(name, value);
        }
    }
}
