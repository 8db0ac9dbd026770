package dev.concord.tensor.linalg;

import dev.concord.tensor.FloatMatrix;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.ejml.data.DMatrixRMaj;

/**
 * Timings on 7B-shaped modules (4096×11008). Not a test: run by hand, single-threaded, e.g.
 * {@code java --add-modules jdk.incubator.vector -cp <test-classes>:<classes>:<ejml jars>
 * dev.concord.tensor.linalg.LinalgBenchmark [kernels|shared]}. Prints the best of a few runs after warm-up;
 * {@code shared} times the steps of one TSV merge of a 7B MLP module.
 */
public final class LinalgBenchmark {
    private static final int OUT = 4096;
    private static final int IN = 11008;

    private LinalgBenchmark() {
    }

    public static void main(String[] args) {
        SplittableRandom random = new SplittableRandom(1);
        if (args.length > 0 && args[0].equals("kernels")) {
            kernels(random);
            return;
        }
        if (args.length > 0 && args[0].equals("shared")) {
            sharedBasis(random);
            return;
        }
        for (int rank : new int[] {16, 32, 64}) {
            LowRank t = DenseReference.randomLowRank(random, OUT, IN, rank);
            LowRank u = DenseReference.randomLowRank(random, OUT, IN, rank);
            time("LowRank.svd            rank " + rank, 5, t::svd);
            time("LowRank.inner          rank " + rank, 5, () -> t.inner(u));
            time("LowRank.frobeniusNorm  rank " + rank, 5, t::frobeniusNorm);
            time("PrincipalAngles overlap rank " + rank, 3, () -> PrincipalAngles.overlap(
                    PrincipalAngles.columnBasis(t), PrincipalAngles.columnBasis(u)));
        }
        List<LowRank> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(DenseReference.randomLowRank(random, OUT, IN, 64));
        }
        LowRank sum = LowRank.weightedSum(four, new double[] {0.25, 0.25, 0.25, 0.25});
        time("weightedSum(4×r64).svd  rank 256", 3, sum::svd);
        LowRank r64 = four.getFirst();
        time("denseRows all 4096 rows rank 64", 3, () -> r64.denseRows(0, OUT));
        time("HouseholderQr 11008×64 + Q", 5, () -> HouseholderQr.of(DenseReference.gaussian(random, IN, 64)).q());
        DMatrixRMaj stacked = DenseReference.gaussian(random, OUT, 256);
        time("Polar.orthogonalFactor 4096×256", 3, () -> Polar.orthogonalFactor(stacked));

        // A dense 4096×11008 matrix: rank-64 signal plus noise, streamed in 256-row blocks (copied, as from a file).
        FloatMatrix dense = r64.toDense();
        float[] d = dense.data();
        for (int i = 0; i < d.length; i++) {
            d[i] += (float) (1e-3 * random.nextGaussian());
        }
        RowBlockSource source = RowBlockSource.of(dense, 256);
        for (int rank : new int[] {16, 32, 64}) {
            RandomizedSvd rsvd = RandomizedSvd.ofRank(rank, 7);
            RankTruncation[] last = new RankTruncation[1];
            time("RandomizedSvd 4096×11008 R=" + rank + " (l=" + rsvd.sketchWidth(OUT, IN) + ", "
                    + rsvd.passes() + " passes)", 2, () -> last[0] = rsvd.compute(source));
            // The signal is exactly low-rank, so its exact truncated SVD is cheap: compare retained energies.
            double optimal = r64.svd().truncate(rank).retainedEnergy() * r64.frobeniusNorm() * r64.frobeniusNorm()
                    / last[0].totalEnergy();
            System.out.printf(Locale.ROOT, "    retained energy %.6f (exact SVD of the signal alone: %.6f)%n",
                    last[0].retainedEnergy(), optimal);
        }
    }

    /** The pieces of a TSV merge of four rank-16 task vectors on a 7B MLP module (what tsv does per module). */
    private static void sharedBasis(SplittableRandom random) {
        List<LowRank> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(DenseReference.randomLowRank(random, OUT, IN, 16));
        }
        time("SharedBasis.of 4×r16 on 4096×11008", 10, () -> SharedBasis.of(four));
        SharedBasis basis = SharedBasis.of(four);
        time("4 core SVDs", 100, () -> {
            for (int i = 0; i < 4; i++) {
                basis.core(i).svd();
            }
            return null;
        });
        DMatrixRMaj u = DenseReference.gaussian(random, 64, 64);
        time("Polar.partialIsometry 64×64", 200, () -> Polar.partialIsometry(u, 1e-6));
        DMatrixRMaj x = DenseReference.gaussian(random, 64, 64);
        time("expand rank 64", 10, () -> basis.expand(x, u));
        double[] tall = DenseReference.gaussian(random, 64, IN).data;
        time("HouseholderQr 11008×64", 10, () -> HouseholderQr.ofColumns(tall.clone(), IN, 64));
        double[] square = DenseReference.gaussian(random, 64, 64).data;
        time("HouseholderQr 64×64", 200, () -> HouseholderQr.ofColumns(square.clone(), 64, 64));
        HouseholderQr qr = HouseholderQr.ofColumns(DenseReference.gaussian(random, 64, IN).data, IN, 64);
        time("applyQToColumns 11008×64 (q=64, T cached)", 10, () -> qr.applyQToColumns(x.data, 64));
    }

    /** GFLOP/s of the two inner kernels at the shapes the package uses them. */
    private static void kernels(SplittableRandom random) {
        double[] a = DenseReference.gaussian(random, 128, IN).data;
        double[] w = DenseReference.gaussian(random, IN, 80).data;
        double[] y = new double[128 * 80];
        double[] z = new double[IN * 80];
        double flops = 2.0 * 128 * IN * 80;
        time("mulAdd Y=X·W   128×11008·11008×80 (" + (int) (flops / 1e6) + " MFLOP)", 5,
                () -> { MatrixKernels.mulAdd(a, 0, IN, 1, w, 0, 80, y, 0, 80, 128, IN, 80); return null; });
        time("mulAdd Z+=XᵀY  11008×128·128×80", 5,
                () -> { MatrixKernels.mulAdd(a, 0, 1, IN, y, 0, 80, z, 0, 80, IN, 128, 80); return null; });
        double[] left = DenseReference.gaussian(random, 64, OUT).data;
        double[] right = DenseReference.gaussian(random, 64, IN).data;
        double[] acc = new double[64 * IN];
        time("mulAdd dense 64 rows ×11008, k=64 (90 MFLOP)", 5,
                () -> { MatrixKernels.mulAdd(left, 0, 1, OUT, right, 0, IN, acc, 0, IN, 64, 64, IN); return null; });
        double[] v = DenseReference.gaussian(random, 256, IN).data;
        double[] g = new double[256 * 256];
        time("gram 256×256 over 11008 (1443 MFLOP)", 3,
                () -> { MatrixKernels.gram(v, 0, IN, 256, v, 0, IN, 256, IN, g, 0, 256); return null; });
    }

    /** Best wall time and best CPU time of this thread (the machine is shared; CPU time is the steadier one). */
    private static void time(String what, int runs, Supplier<?> work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        work.get(); // warm-up
        long bestWall = Long.MAX_VALUE;
        long bestCpu = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            work.get();
            bestWall = Math.min(bestWall, System.nanoTime() - t0);
            bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - c0);
        }
        System.out.printf(Locale.ROOT, "%-55s %9.1f ms wall %9.1f ms cpu%n", what, bestWall / 1e6, bestCpu / 1e6);
    }
}
