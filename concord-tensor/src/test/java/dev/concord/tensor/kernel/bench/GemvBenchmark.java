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
 * y = W x for one token: the decode step. Each call uses the next copy of W from a cold set (see
 * {@link BenchWeights}), so the time is bounded by main-memory bandwidth; {@link KernelBenchmarks} turns it into
 * GB/s. The small 256x256 shape measures the per-call overhead of the thread pool instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemvBenchmark {
    @Param({"32000x768", "2048x768", "768x2048"})
    public String shape;

    @Param({"F32", "BF16", "Q8_0"})
    public String format;

    @Param({"1", "2"})
    public int threads;

    @Param({"true"})
    public boolean cold;

    private Arena arena;
    private ComputePool pool;
    private Kernels kernels;
    private WeightMatrix[] weights;
    private float[] x;
    private float[] y;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = BenchWeights.shape(shape);
        WeightFormat f = WeightFormat.valueOf(format);
        arena = Arena.ofShared();
        weights = BenchWeights.create(arena, f, s[0], s[1], BenchWeights.copies(cold, f, s[0], s[1]));
        x = BenchWeights.gaussian(s[1], 1);
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
        WeightMatrix w = weights[next];
        next = next + 1 == weights.length ? 0 : next + 1;
        kernels.gemv(w, x, y);
        return y;
    }
}
