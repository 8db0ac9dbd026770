package dev.concord.tensor.linalg;

import dev.concord.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Brute force on dense matrices (EJML and naive loops): the oracle the linalg properties compare against. */
final class DenseReference {
    private DenseReference() {
    }

    static DMatrixRMaj gaussian(SplittableRandom random, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = random.nextGaussian();
        }
        return m;
    }

    static LowRank randomLowRank(SplittableRandom random, int rows, int cols, int rank) {
        double scale = 0.25 + 2 * random.nextDouble();
        return LowRank.of(gaussian(random, rows, rank), gaussian(random, rank, cols), scale);
    }

    /** A random d×d orthogonal matrix (Q of a Gaussian matrix, via EJML's QR). */
    static DMatrixRMaj randomOrthogonal(SplittableRandom random, int d) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, d);
        qr.decompose(gaussian(random, d, d));
        return qr.getQ(null, false);
    }

    /** s·B·A in double, by EJML multiplication. */
    static DMatrixRMaj dense(LowRank t) {
        DMatrixRMaj out = new DMatrixRMaj(t.rows(), t.cols());
        CommonOps_DDRM.mult(t.scale(), t.left(), t.right(), out);
        return out;
    }

    static DMatrixRMaj toDouble(FloatMatrix m) {
        DMatrixRMaj d = new DMatrixRMaj(m.rows(), m.cols());
        for (int i = 0; i < d.data.length; i++) {
            d.data[i] = m.data()[i];
        }
        return d;
    }

    static FloatMatrix toFloat(DMatrixRMaj d) {
        float[] f = new float[d.data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d.data[i];
        }
        return new FloatMatrix(d.numRows, d.numCols, f);
    }

    /** U·diag(σ)·Vᵀ. */
    static DMatrixRMaj reconstruct(LowRankSvd svd) {
        DMatrixRMaj us = svd.u();
        for (int i = 0; i < us.numRows; i++) {
            for (int k = 0; k < us.numCols; k++) {
                us.data[i * us.numCols + k] *= svd.sigma(k);
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(svd.rows(), svd.cols());
        if (svd.rank() > 0) {
            CommonOps_DDRM.mult(us, svd.vt(), out);
        }
        return out;
    }

    /** Singular values of a dense matrix by EJML, descending. */
    static double[] singularValues(DMatrixRMaj m) {
        if (m.numRows == 0 || m.numCols == 0) {
            return new double[0];
        }
        double[] s = SingularOps_DDRM.singularValues(m.copy());
        Arrays.sort(s);
        for (int i = 0; i < s.length / 2; i++) {
            double t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        return s;
    }

    static double frobenius(DMatrixRMaj m) {
        double s = 0;
        for (double v : m.data) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double frobeniusOfDifference(DMatrixRMaj a, DMatrixRMaj b) {
        double s = 0;
        for (int i = 0; i < a.data.length; i++) {
            double d = a.data[i] - b.data[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static double spectralNorm(DMatrixRMaj m) {
        double[] s = singularValues(m);
        return s.length == 0 ? 0 : s[0];
    }

    static DMatrixRMaj minus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj d = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.subtract(a, b, d);
        return d;
    }

    /** max |QᵀQ − I| over all entries: 0 for exactly orthonormal columns. */
    static double orthonormalityError(DMatrixRMaj q) {
        DMatrixRMaj g = new DMatrixRMaj(q.numCols, q.numCols);
        CommonOps_DDRM.multTransA(q, q, g);
        double worst = 0;
        for (int i = 0; i < q.numCols; i++) {
            for (int j = 0; j < q.numCols; j++) {
                worst = Math.max(worst, Math.abs(g.get(i, j) - (i == j ? 1 : 0)));
            }
        }
        return worst;
    }

    static DMatrixRMaj transpose(DMatrixRMaj m) {
        return CommonOps_DDRM.transpose(m, null);
    }
}
