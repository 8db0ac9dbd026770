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

/**
 * Small GEMVs with cache-resident weights, where the cost of a call is mostly its fixed overhead: 128x128 runs on
 * the caller's thread (below the parallel threshold), 256x256 is the smallest call that wakes the pool. The empty
 * job measures the pool's own round trip: publish, let the workers claim, wait for completion.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CallOverheadBenchmark {
    @Param({"128x128", "256x256"})
    public String shape;

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
        w = BenchWeights.create(arena, WeightFormat.F32, s[0], s[1], 1)[0];
        x = BenchWeights.gaussian(s[1], 3);
        y = new float[s[0]];
        pool = new ComputePool(threads);
        kernels = Kernels.vector(pool);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] gemv() {
        kernels.gemv(w, x, y);
        return y;
    }

    @Benchmark
    public float[] emptyPoolJob() {
        pool.run(threads, chunk -> y[chunk] = chunk);
        return y;
    }
}
