package dev.concord.analysis;

import dev.concord.adapter.AdapterWriter;
import dev.concord.adapter.LoraAdapter;
import dev.concord.adapter.LoraConfig;
import dev.concord.adapter.ModuleFactors;
import dev.concord.adapter.ModuleKind;
import dev.concord.adapter.ModuleSelector;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small hand-made PEFT adapters: factors per module, written to a directory and loaded back. */
final class TestAdapters {
    /** Module name → {out, in}. */
    static final Map<String, int[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("model.layers.0.self_attn.q_proj", new int[] {24, 20});
        SHAPES.put("model.layers.0.mlp.down_proj", new int[] {20, 36});
        SHAPES.put("model.layers.1.self_attn.q_proj", new int[] {24, 20});
    }

    private TestAdapters() {}

    /** Factors of one adapter: module → {A [r, in], B [out, r]}. */
    static Map<String, FloatMatrix[]> random(long seed, int rank, double bScale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, FloatMatrix[]> out = new LinkedHashMap<>();
        for (var e : SHAPES.entrySet()) {
            int o = e.getValue()[0];
            int in = e.getValue()[1];
            out.put(e.getKey(), new FloatMatrix[] {gaussian(rnd, rank, in, 1.0), gaussian(rnd, o, rank, bScale)});
        }
        return out;
    }

    static FloatMatrix gaussian(SplittableRandom rnd, int rows, int cols, double scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return new FloatMatrix(rows, cols, v);
    }

    /** The same adapter with B negated: tau → −tau. */
    static Map<String, FloatMatrix[]> negated(Map<String, FloatMatrix[]> f) {
        Map<String, FloatMatrix[]> out = new LinkedHashMap<>();
        f.forEach((k, v) -> {
            float[] b = v[1].data().clone();
            for (int i = 0; i < b.length; i++) {
                b[i] = -b[i];
            }
            out.put(k, new FloatMatrix[] {v[0], new FloatMatrix(v[1].rows(), v[1].cols(), b)});
        });
        return out;
    }

    /** The LoRA gauge B → B·G, A → G⁻¹·A with an upper-triangular G (its inverse by back substitution). */
    static Map<String, FloatMatrix[]> gauged(Map<String, FloatMatrix[]> f, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, FloatMatrix[]> out = new LinkedHashMap<>();
        f.forEach((k, v) -> {
            int r = v[0].rows();
            double[][] g = new double[r][r];
            for (int i = 0; i < r; i++) {
                g[i][i] = 0.5 + rnd.nextDouble() * 1.5;
                for (int j = i + 1; j < r; j++) {
                    g[i][j] = rnd.nextGaussian() * 0.5;
                }
            }
            double[][] inv = upperInverse(g);
            out.put(k, new FloatMatrix[] {multiply(inv, v[0]), multiplyRight(v[1], g)});
        });
        return out;
    }

    private static double[][] upperInverse(double[][] g) {
        int r = g.length;
        double[][] inv = new double[r][r];
        for (int c = 0; c < r; c++) {
            for (int i = r - 1; i >= 0; i--) {
                double s = i == c ? 1 : 0;
                for (int j = i + 1; j < r; j++) {
                    s -= g[i][j] * inv[j][c];
                }
                inv[i][c] = s / g[i][i];
            }
        }
        return inv;
    }

    /** M [r, r] · A [r, in]. */
    private static FloatMatrix multiply(double[][] m, FloatMatrix a) {
        int r = a.rows();
        int cols = a.cols();
        float[] out = new float[r * cols];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int p = 0; p < r; p++) {
                    s += m[i][p] * a.get(p, j);
                }
                out[i * cols + j] = (float) s;
            }
        }
        return new FloatMatrix(r, cols, out);
    }

    /** B [out, r] · M [r, r]. */
    private static FloatMatrix multiplyRight(FloatMatrix b, double[][] m) {
        int o = b.rows();
        int r = b.cols();
        float[] out = new float[o * r];
        for (int i = 0; i < o; i++) {
            for (int j = 0; j < r; j++) {
                double s = 0;
                for (int p = 0; p < r; p++) {
                    s += b.get(i, p) * m[p][j];
                }
                out[i * r + j] = (float) s;
            }
        }
        return new FloatMatrix(o, r, out);
    }

    /** Writes the adapter (all modules share one rank, F32, given alpha) and opens it. */
    static LoraAdapter write(Path dir, Map<String, FloatMatrix[]> factors, double alpha) {
        int rank = factors.values().iterator().next()[0].rows();
        List<ModuleFactors> mf = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        factors.forEach((name, f) -> {
            mf.add(ModuleFactors.of(name, ModuleKind.LINEAR, f[0], f[1], DType.F32));
            String t = name.substring(name.lastIndexOf('.') + 1);
            if (!targets.contains(t)) {
                targets.add(t);
            }
        });
        LoraConfig config = LoraConfig.builder().r(rank).loraAlpha(alpha)
                .targetModules(new ModuleSelector.Names(targets)).build();
        AdapterWriter.write(dir, config, mf);
        return LoraAdapter.load(dir);
    }

    /** Only the listed modules of an adapter's factors. */
    static Map<String, FloatMatrix[]> only(Map<String, FloatMatrix[]> f, String... modules) {
        Map<String, FloatMatrix[]> out = new LinkedHashMap<>();
        for (String m : modules) {
            out.put(m, f.get(m));
        }
        return out;
    }
}
