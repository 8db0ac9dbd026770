package dev.concord.tensor.linalg;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Compact SVD of a small dense matrix (EJML's implicit-QR SVD), with singular values sorted in descending order:
 * A [m, n] = U·diag(σ)·Vᵀ with U [m, p], Vᵀ [p, n], p = min(m, n).
 *
 * <p>Meant for the small cores of this package (a k×k product of triangular factors, an l×l sketch core), not
 * for model-sized matrices: those go through {@link LowRank#svd()} or {@link RandomizedSvd}, which is why the
 * smaller dimension is capped at {@link #MAX_SMALL_DIMENSION}.
 */
public final class DenseSvd {
    /** Largest min(m, n) accepted; a full SVD beyond this takes seconds to minutes and is never what we want. */
    public static final int MAX_SMALL_DIMENSION = 2048;

    private final DMatrixRMaj u;
    private final double[] sigma;
    private final DMatrixRMaj vt;

    private DenseSvd(DMatrixRMaj u, double[] sigma, DMatrixRMaj vt) {
        this.u = u;
        this.sigma = sigma;
        this.vt = vt;
    }

    /** Decomposes a (not modified). */
    public static DenseSvd of(DMatrixRMaj a) {
        int m = a.numRows;
        int n = a.numCols;
        int p = Math.min(m, n);
        if (p > MAX_SMALL_DIMENSION) {
            throw new InvalidInputException("dense SVD of a [" + m + ", " + n + "] matrix refused: the smaller side "
                    + "exceeds " + MAX_SMALL_DIMENSION + "; use a low-rank or randomized SVD");
        }
        FiniteValues.require(a.data, m, n, "matrix to decompose");
        if (p == 0) {
            return new DenseSvd(new DMatrixRMaj(m, 0), new double[0], new DMatrixRMaj(0, n));
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, true, true, true);
        if (!svd.decompose(a.copy())) {
            throw new ConcordException("SVD did not converge on a [" + m + ", " + n + "] matrix");
        }
        DMatrixRMaj rawU = svd.getU(null, false);
        DMatrixRMaj rawVt = svd.getV(null, true);
        double[] rawSigma = svd.getSingularValues();
        Integer[] order = IntStream.range(0, p).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> rawSigma[i]).reversed());
        DMatrixRMaj u = new DMatrixRMaj(m, p);
        DMatrixRMaj vt = new DMatrixRMaj(p, n);
        double[] sigma = new double[p];
        for (int k = 0; k < p; k++) {
            int src = order[k];
            sigma[k] = rawSigma[src];
            for (int i = 0; i < m; i++) {
                u.data[i * p + k] = rawU.data[i * rawU.numCols + src];
            }
            System.arraycopy(rawVt.data, src * n, vt.data, k * n, n);
        }
        return new DenseSvd(u, sigma, vt);
    }

    /** p = min(m, n). */
    public int size() {
        return sigma.length;
    }

    /** Left singular vectors as columns, [m, p] (a copy). */
    public DMatrixRMaj u() {
        return u.copy();
    }

    /** Singular values, descending (a copy). */
    public double[] sigma() {
        return sigma.clone();
    }

    public double sigma(int i) {
        return sigma[i];
    }

    /** Right singular vectors as rows, [p, n] (a copy). */
    public DMatrixRMaj vt() {
        return vt.copy();
    }
}
