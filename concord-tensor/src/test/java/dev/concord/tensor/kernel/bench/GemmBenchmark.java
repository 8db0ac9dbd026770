package dev.concord.tensor.kernel.bench;

import dev.concord.tensor.kernel.ComputePool;
import dev.concord.tensor.kernel.Kernels;
import dev.concord.tensor.kernel.WeightFormat;
import dev.concord.tensor.kernel.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Y[n, out] = X[n, in] · Wᵀ: prefill and batched decode. Compute-bound; reported as GFLOP/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {
    @Param({"2048x768"})
    public String shape;

    @Param({"64"})
    public int n;

    @Param({"F32", "BF16", "Q8_0"})
    public String format;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private ComputePool pool;
    private Kernels kernels;
    private WeightMatrix w;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = BenchWeights.shape(shape);
        arena = Arena.ofShared();
        w = BenchWeights.create(arena, WeightFormat.valueOf(format), s[0], s[1], 1)[0];
        x = BenchWeights.gaussian(n * s[1], 2);
        y = new float[n * s[0]];
        pool = new ComputePool(threads);
        kernels = Kernels.vector(pool);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] gemm() {
        kernels.gemm(w, x, n, y);
        return y;
    }
}
