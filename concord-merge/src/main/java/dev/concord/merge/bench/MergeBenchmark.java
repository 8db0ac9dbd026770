package dev.concord.merge.bench;

import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.error.ConcordException;
import dev.concord.io.AtomicDirectory;
import dev.concord.merge.MethodRegistry;
import dev.concord.tensor.DType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code concord bench merge}: synthetic PEFT adapters (rank 16 on all seven projections, 4 of them) for a
 * Llama-1B shape (hidden 2048, intermediate 8192, 16 layers, 32/8 heads) and a Llama-7B shape (4096, 11008, 32
 * layers, 32/32 heads), merged by each benchmarked method in a child JVM that reports wall time and peak RSS.
 */
public final class MergeBenchmark {
    /** A model shape. */
    public record Shape(String name, int hidden, int intermediate, int layers, int heads, int kvHeads) {}

    public static final Shape LLAMA_1B = new Shape("1b", 2048, 8192, 16, 32, 8);
    public static final Shape LLAMA_7B = new Shape("7b", 4096, 11008, 32, 32, 32);

    /** One measured merge. */
    public record Case(Shape shape, String method, String format) {}

    /** What a child reported, or why the case was skipped. */
    public record Result(Case c, double seconds, long peakRssBytes, int modules, double minEnergy, String note) {}

    /** The cases of the issue: linear, ties, dare_ties, tsv to adapter on each shape; ties to delta on 1B only. */
    public static List<Case> cases(List<Shape> shapes) {
        List<Case> out = new ArrayList<>();
        for (Shape s : shapes) {
            for (String m : List.of("linear", "ties", "dare_ties", "tsv")) {
                out.add(new Case(s, m, "adapter"));
            }
            if (s.equals(LLAMA_1B)) {
                out.add(new Case(s, "ties", "delta"));
            }
        }
        return out;
    }

    /** Writes {@code count} adapters of rank 16 (alpha 32) for the shape, different seeds. */
    public static List<Path> generate(Path dir, Shape shape, int count) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SyntheticAdapterSpec spec = new SyntheticAdapterSpec(shape.hidden(), shape.intermediate(), shape.layers(),
                    shape.heads(), shape.kvHeads(), 0, 16, 32, false, SyntheticAdapterSpec.ALL_PROJECTIONS, DType.F32,
                    0.02, 1000L * shape.layers() + i);
            paths.add(SyntheticAdapters.write(dir.resolve(shape.name() + "-adapter-" + i), spec));
        }
        return paths;
    }

    /** Runs one case in a child JVM with the given heap limit; skips methods that are not registered. */
    public static Result run(Case c, List<Path> adapters, Path out, int threads, String maxHeap, Consumer<String> log) {
        if (!MethodRegistry.names().contains(c.method())) {
            return new Result(c, Double.NaN, -1, 0, Double.NaN, "method not registered in this build");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx" + maxHeap);
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchWorker.class.getName());
        cmd.add(c.method());
        cmd.add(c.format());
        cmd.add(out.toString());
        cmd.add(Integer.toString(threads));
        adapters.forEach(a -> cmd.add(a.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String result = null;
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("seconds=")) {
                        result = line;
                    } else if (!line.startsWith("WARNING: Using incubator")) {
                        lines.add(line);
                    }
                }
            }
            int code = p.waitFor();
            if (code != 0 || result == null) {
                throw new ConcordException("benchmark child for " + c + " failed (exit " + code + "): "
                        + String.join(" | ", lines));
            }
            Matcher m = Pattern.compile("seconds=(\\S+) peak_rss_bytes=(\\S+) modules=(\\S+) min_energy=(\\S+)").matcher(result);
            if (!m.matches()) {
                throw new ConcordException("benchmark child printed an unexpected line: " + result);
            }
            return new Result(c, Double.parseDouble(m.group(1)), Long.parseLong(m.group(2)),
                    Integer.parseInt(m.group(3)), Double.parseDouble(m.group(4)), "");
        } catch (IOException e) {
            throw new ConcordException("cannot start the benchmark child: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConcordException("benchmark interrupted", e);
        } finally {
            AtomicDirectory.deleteTree(out);
        }
    }

    /** Bytes of the adapters on disk (for the report). */
    public static long size(List<Path> adapters) {
        long total = 0;
        for (Path a : adapters) {
            try {
                total += Files.size(a.resolve("adapter_model.safetensors"));
            } catch (IOException ignored) {
                // informative only
            }
        }
        return total;
    }

    static Map<String, Shape> shapes() {
        return Map.of("1b", LLAMA_1B, "7b", LLAMA_7B);
    }
}
