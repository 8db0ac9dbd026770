package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * SGMV-style LoRA on a batch whose tokens are grouped by adapter: each segment runs shrink then expand with its own
 * adapter, ranks differ between adapters, and T is packed without padding. Checked against a naive double loop.
 */
class LoraOpsTest {
    private static final ComputePool POOL = new ComputePool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private record Segment(int firstRow, int rowCount, int rank, float scale) {}

    @Test
    void segmentedShrinkAndExpandMatchNaiveLora() {
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.vector(POOL), new VectorKernels(POOL, 0)}) {
            for (WeightFormat format : WeightFormat.values()) {
                runBatch(k, format, new Random(format.ordinal() * 31 + 1));
            }
        }
    }

    private static void runBatch(Kernels k, WeightFormat format, Random rnd) {
        int in = 70;
        int out = 45;
        int tokens = 20;
        // rows 0-2 have no adapter; rows 18-19 neither
        Segment[] segments = {
            new Segment(3, 5, 8, 2.0f), new Segment(8, 1, 1, 0.5f), new Segment(9, 9, 16, -1.25f)
        };
        float[] x = TestWeights.gaussian(tokens * in, rnd);
        float[] base = TestWeights.gaussian(tokens * out, rnd);
        float[] y = base.clone();
        int tSize = 0;
        for (Segment s : segments) {
            tSize += s.rowCount() * s.rank();
        }
        float[] t = new float[tSize];
        int tOffset = 0;
        for (Segment s : segments) {
            WeightMatrix a = TestWeights.random(format, s.rank(), in, rnd);
            WeightMatrix b = TestWeights.random(format, out, s.rank(), rnd);
            k.loraShrink(a, x, s.firstRow(), s.rowCount(), t, tOffset);
            k.loraExpand(b, s.scale(), t, tOffset, s.rowCount(), y, s.firstRow());
            checkSegment(s, a, b, x, t, tOffset, base, y, in, out, k.name() + " " + format);
            tOffset += s.rowCount() * s.rank();
        }
        for (int row : new int[] {0, 1, 2, 18, 19}) {
            for (int o = 0; o < out; o++) {
                assertThat(y[row * out + o]).as("row %d has no adapter", row).isEqualTo(base[row * out + o]);
            }
        }
    }

    private static void checkSegment(Segment s, WeightMatrix a, WeightMatrix b, float[] x, float[] t, int tOffset,
            float[] base, float[] y, int in, int out, String what) {
        float[] da = TestWeights.dense(a);
        float[] db = TestWeights.dense(b);
        int r = s.rank();
        for (int j = 0; j < s.rowCount(); j++) {
            int row = s.firstRow() + j;
            double[] exactT = new double[r];
            for (int q = 0; q < r; q++) {
                double sum = 0;
                double sumAbs = 0;
                for (int c = 0; c < in; c++) {
                    sum += (double) da[q * in + c] * x[row * in + c];
                    sumAbs += Math.abs((double) da[q * in + c] * x[row * in + c]);
                }
                exactT[q] = sum;
                assertThat((double) t[tOffset + j * r + q]).as("%s shrink row %d rank %d", what, row, q)
                        .isCloseTo(sum, within(Tolerance.matmul(in, sumAbs, 1f, 0f, 0f)));
            }
            for (int o = 0; o < out; o++) {
                double delta = 0;
                double sumAbs = 0;
                for (int q = 0; q < r; q++) {
                    // use the kernel's own T so this checks expand alone; T's error was checked above
                    float tq = t[tOffset + j * r + q];
                    delta += (double) db[o * r + q] * tq;
                    sumAbs += Math.abs((double) db[o * r + q] * tq);
                }
                double expected = base[row * out + o] + s.scale() * delta;
                assertThat((double) y[row * out + o]).as("%s expand row %d out %d", what, row, o)
                        .isCloseTo(expected, within(Tolerance.matmul(r, sumAbs, s.scale(), 0f, base[row * out + o])));
            }
        }
    }
}
