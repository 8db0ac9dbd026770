package dev.concord.merge.lowrank;

import dev.concord.adapter.TaskVector;
import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeMethod;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModuleParameters;
import dev.concord.merge.ModuleResult;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The brute-force side of the tests: task vectors made dense in double, EJML's full SVD, plain loops. Nothing
 * here uses the factored code paths under test.
 */
final class Dense {
    static final String MODULE = "model.layers.0.mlp.up_proj";

    private Dense() {}

    /** A random s·B·A with Gaussian factors. */
    static TaskVector random(Random r, int rows, int cols, int rank, double scale) {
        float[] b = new float[rows * rank];
        float[] a = new float[rank * cols];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return TaskVector.of(scale, new FloatMatrix(rows, rank, b), new FloatMatrix(rank, cols, a));
    }

    /** s·B·A in double. */
    static DMatrixRMaj of(TaskVector t) {
        DMatrixRMaj b = new DMatrixRMaj(t.rows(), t.rank());
        DMatrixRMaj a = new DMatrixRMaj(t.rank(), t.cols());
        for (int i = 0; i < b.data.length; i++) {
            b.data[i] = t.left().data()[i];
        }
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = t.right().data()[i];
        }
        DMatrixRMaj out = new DMatrixRMaj(t.rows(), t.cols());
        CommonOps_DDRM.mult(t.scale(), b, a, out);
        return out;
    }

    /** Σ_i w_i·τ_i in double (null entries skipped). */
    static DMatrixRMaj weightedSum(List<TaskVector> taus, double[] w) {
        DMatrixRMaj sum = null;
        for (int i = 0; i < taus.size(); i++) {
            if (taus.get(i) == null) {
                continue;
            }
            DMatrixRMaj d = of(taus.get(i));
            CommonOps_DDRM.scale(w[i], d);
            if (sum == null) {
                sum = d;
            } else {
                CommonOps_DDRM.addEquals(sum, d);
            }
        }
        return sum;
    }

    /** The method's result as a dense double matrix. */
    static DMatrixRMaj of(ModuleResult r) {
        TaskVector t = ((ModuleResult.LowRank) r).tau();
        return of(t);
    }

    /** Full SVD, singular values descending: [U, diag(σ) as a vector in a 1×p matrix, Vᵀ]. */
    static Svd svd(DMatrixRMaj m) {
        SingularValueDecomposition_F64<DMatrixRMaj> d = DecompositionFactory_DDRM.svd(m.numRows, m.numCols, true, true,
                true);
        if (!d.decompose(m.copy())) {
            throw new AssertionError("EJML SVD failed");
        }
        DMatrixRMaj u = d.getU(null, false);
        DMatrixRMaj w = d.getW(null);
        DMatrixRMaj vt = d.getV(null, true);
        SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
        int p = Math.min(m.numRows, m.numCols);
        double[] s = new double[p];
        for (int i = 0; i < p; i++) {
            s[i] = w.get(i, i);
        }
        return new Svd(u, s, vt);
    }

    record Svd(DMatrixRMaj u, double[] sigma, DMatrixRMaj vt) {}

    /** U·Vᵀ from the SVD of m: the nearest matrix with orthonormal columns (rows, for a wide m). */
    static DMatrixRMaj polar(DMatrixRMaj m) {
        Svd s = svd(m);
        int p = s.sigma().length;
        DMatrixRMaj u = CommonOps_DDRM.extract(s.u(), 0, m.numRows, 0, p);
        DMatrixRMaj vt = CommonOps_DDRM.extract(s.vt(), 0, p, 0, m.numCols);
        DMatrixRMaj out = new DMatrixRMaj(m.numRows, m.numCols);
        CommonOps_DDRM.mult(u, vt, out);
        return out;
    }

    static double maxAbsDiff(DMatrixRMaj x, DMatrixRMaj y) {
        if (x.numRows != y.numRows || x.numCols != y.numCols) {
            throw new AssertionError("shapes differ: " + x.numRows + "x" + x.numCols + " vs " + y.numRows + "x" + y.numCols);
        }
        double m = 0;
        for (int i = 0; i < x.data.length; i++) {
            m = Math.max(m, Math.abs(x.data[i] - y.data[i]));
        }
        return m;
    }

    static double maxAbs(DMatrixRMaj x) {
        double m = 0;
        for (double v : x.data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Inputs for one module with parameters resolved exactly as the command line resolves them. */
    static ModuleInputs inputs(MergeMethod method, Map<String, Object> params, List<TaskVector> taus, double[] w,
            long seed) {
        List<AdapterInput> fake = new ArrayList<>();
        for (double x : w) {
            fake.add(new AdapterInput("x", Path.of("x"), x));
        }
        ModuleParameters p = ModuleParameters.resolve(method, new FixedParameters(params, fake), MODULE, 0, w.length);
        method.check(p, MODULE);
        return ModuleInputs.ofTaskVectors(MODULE, taus, w, p, seed);
    }

    static ModuleResult merge(MergeMethod method, Map<String, Object> params, List<TaskVector> taus, double[] w,
            long seed) {
        return method.merge(inputs(method, params, taus, w, seed));
    }
}
