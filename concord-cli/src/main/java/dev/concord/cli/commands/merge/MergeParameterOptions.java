package dev.concord.cli.commands.merge;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The merge methods' parameter options, shared by {@code concord merge} and {@code concord eval --merge} so both
 * take the same names, meanings and documented defaults; handed to the method by concord-merge parameter name.
 * Values stay strings: the method's own parameter definitions parse and check them.
 */
public final class MergeParameterOptions {
    @Option(names = "--density", paramLabel = "D",
            description = "Fraction kept, in (0, 1] (default: ties, magnitude_prune, breadcrumbs*, della*, peft_ties 0.2;"
                    + " dare_*, darex* 0.1).")
    public String density;

    @Option(names = "--majority-sign", paramLabel = "total|frequency",
            description = "TIES sign election: sign of the sum (total) or of the sum of signs (default: total, PEFT's).")
    public String majoritySign;

    @Option(names = "--sign-election", paramLabel = "unweighted|weighted",
            description = "Vote on trimmed task vectors (unweighted, PEFT) or weighted ones (weighted, mergekit)"
                    + " (default: unweighted).")
    public String signElection;

    @Option(names = "--disjoint", paramLabel = "count|weight",
            description = "Divide agreeing entries by their count (count, PEFT) or the sum of their weights"
                    + " (weight, mergekit) (default: count; also: sum = no division).")
    public String disjoint;

    @Option(names = "--trim-scope", paramLabel = "tensor|model",
            description = "Top-k per tensor or over each adapter's whole task vector (TIES paper) (default: tensor).")
    public String trimScope;

    @Option(names = "--dare-rescale", paramLabel = "inverse|l1",
            description = "DARE/DELLA survivors: times 1/keep-probability (inverse) or restore the L1 norm"
                    + " (l1, mergekit) (default: inverse; also: none).")
    public String dareRescale;

    @Option(names = "--q", paramLabel = "Q|auto",
            description = {"DAREx-q rescale denominator, > 0 (darex, darex_ties: required). concord merge also takes"
                    + " auto: the q in [density, 1] whose merge changes the --base model's logits on the --calibration"
                    + " prompts least, against the"
                    + " same merge without the drop (DAREx's label-free choice)."})
    public String q;

    @Option(names = "--gamma", paramLabel = "G", description = "Breadcrumbs outlier fraction, in [0, 1) (default: 0.01).")
    public String gamma;

    @Option(names = "--epsilon", paramLabel = "E",
            description = "DELLA keep probabilities span density +- epsilon (default: 0.1).")
    public String epsilon;

    @Option(names = "--scope", paramLabel = "row|tensor",
            description = "Breadcrumbs and DELLA rank magnitudes per row (papers) or per tensor (default: row).")
    public String scope;

    @Option(names = "--lambda", paramLabel = "L", description = "Scale of the merged task vector (default: 1.0).")
    public String lambda;

    @Option(names = "--tsv-keep", paramLabel = "K",
            description = "tsv: singular triplets kept per task (default: all of each task's rank).")
    public String tsvKeep;

    @Option(names = "--inner", paramLabel = "ties|dare_ties", description = "knots: inner merge (default: ties).")
    public String inner;

    /** The parameters the user set, by concord-merge parameter name (a new, mutable map). */
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
