package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.ModuleResult;
import dev.concord.merge.ParameterDef;
import dev.concord.merge.ops.DareMask;
import dev.concord.merge.ops.DisjointMean;
import dev.concord.merge.ops.MagnitudeCut;
import dev.concord.merge.ops.MajoritySign;
import dev.concord.merge.ops.MaskRandom;
import dev.concord.merge.ops.TiesConsensus;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.linalg.DenseSvd;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code knots}: KnOTS (Stoica et al., "Model merging with SVD to tie the KnOTS", ICLR 2025). The task vectors
 * are aligned in one shared basis ({@link KnotsAlignment}: τ_t = U·Σ·V_tᵀ), their coordinates Σ·V_tᵀ are merged
 * element-wise with TIES ({@code --inner ties}: top-magnitude trim) or DARE-TIES ({@code --inner dare_ties}:
 * seeded random drop with rescale 1/density), with the same sign election and disjoint mean as Concord's
 * {@code ties} — weights w_i enter there, exactly as in {@code ties} — and the result is rebuilt as
 * λ·U·merged. The result has rank p ≤ Σ r_t and stays factored.
 */
public final class KnotsMethod implements MergeMethod {
    /** Salt of the DARE masks drawn on the aligned coordinates (distinct from dare_ties' masks on τ itself). */
    static final long STREAM_KNOTS_DARE = 0x4B4E07DAL;

    private static final List<ParameterDef> PARAMETERS = List.of(LowRankParameters.knotsDensity(),
            LowRankParameters.inner(), LowRankParameters.lambda(), LowRankParameters.majoritySign(),
            LowRankParameters.signElection(), LowRankParameters.disjoint());

    @Override
    public String name() {
        return "knots";
    }

    @Override
    public String summary() {
        return "KnOTS: SVD-align the task vectors, TIES or DARE-TIES on the aligned factors; stays low-rank";
    }

    @Override
    public String reference() {
        return "Stoica et al. 2025, KnOTS (arXiv 2410.19735), official code (s_on_V, concat_across_output)";
    }

    @Override
    public List<ParameterDef> parameters() {
        return PARAMETERS;
    }

    @Override
    public ModuleResult merge(ModuleInputs in) {
        ModuleParameters params = in.params();
        List<TaskVector> taus = new ArrayList<>();
        List<Integer> adapters = new ArrayList<>();
        for (int i = 0; i < in.count(); i++) {
            TaskVector t = in.taskVector(i);
            if (t != null) {
                taus.add(t);
                adapters.add(i);
            }
        }
        if (taus.isEmpty()) {
            return MergedFactors.zero(in.rows(), in.cols());
        }
        int totalRank = taus.stream().mapToInt(TaskVector::rank).sum();
        if (totalRank > DenseSvd.MAX_SMALL_DIMENSION) {
            throw new UnsupportedFeatureException("knots would align " + totalRank + " rank-one terms on module "
                    + in.module() + ", more than the " + DenseSvd.MAX_SMALL_DIMENSION + " its SVD handles; merge"
                    + " fewer or lower-rank adapters");
        }
        KnotsAlignment aligned = KnotsAlignment.of(taus, in.rows(), in.cols());
        int p = aligned.rank();
        if (p == 0) {
            return MergedFactors.zero(in.rows(), in.cols());
        }
        int len = p * in.cols();
        boolean dare = params.choice(LowRankParameters.INNER).equals("dare_ties");
        float[][] stack = new float[in.count()][];
        for (int t = 0; t < taus.size(); t++) {
            int i = adapters.get(t);
            float[] c = aligned.coordinates().get(t);
            double density = params.number("density", i);
            if (dare) {
                MaskRandom rng = MaskRandom.of(in.seed(), STREAM_KNOTS_DARE, in.module(), i);
                DareMask.apply(rng, density, 1.0 / density, c, 0, len, 0);
            } else {
                trim(c, density);
            }
            stack[i] = c;
        }
        TiesConsensus consensus = new TiesConsensus(
                MajoritySign.valueOf(params.choice("majority_sign").toUpperCase(Locale.ROOT)),
                params.choice("sign_election").equals("weighted"),
                DisjointMean.valueOf(params.choice("disjoint").toUpperCase(Locale.ROOT)));
        float[] merged = new float[len];
        consensus.combine(stack, 0, len, in.weights(), merged, 0);
        return MergedFactors.of(MergedFactors.toFloat(aligned.u()), new FloatMatrix(p, in.cols(), merged),
                params.number("lambda"));
    }

    /** TIES' trim of one task's coordinates: keep the int(density · numel) largest magnitudes, lowest index first on ties. */
    static void trim(float[] c, double density) {
        if (density >= 1) {
            return;
        }
        MagnitudeCut cut = MagnitudeCut.ofTopK(c, 0, c.length, MagnitudeCut.keepCount(density, c.length));
        for (int j = 0; j < c.length; j++) {
            if (!cut.keeps(Math.abs(c[j]), j)) {
                c[j] = 0f;
            }
        }
    }
}
