package dev.concord.merge.bench;

import dev.concord.merge.AdapterInput;
import dev.concord.merge.FixedParameters;
import dev.concord.merge.MergeRequest;
import dev.concord.merge.MergeRunner;
import dev.concord.merge.MergeSummary;
import dev.concord.merge.MethodRegistry;
import dev.concord.merge.OutputFormat;
import dev.concord.progress.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The child process of a merge benchmark: runs one merge and prints one line
 * {@code seconds=<wall> peak_rss_bytes=<VmHWM> modules=<n> min_energy=<e>}. A process of its own per merge is
 * the only honest way to report peak RSS: the parent's generation of inputs would otherwise dominate it.
 *
 * <p>Arguments: METHOD FORMAT OUT THREADS ADAPTER...
 */
public final class BenchWorker {
    private BenchWorker() {}

    public static void main(String[] args) throws IOException {
        String method = args[0];
        OutputFormat format = OutputFormat.valueOf(args[1].toUpperCase(Locale.ROOT));
        Path out = Path.of(args[2]);
        int threads = Integer.parseInt(args[3]);
        List<AdapterInput> in = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            in.add(AdapterInput.parse(args[i]));
        }
        long t0 = System.nanoTime();
        MergeSummary s = MergeRunner.run(new MergeRequest(MethodRegistry.get(method), in, new FixedParameters(Map.of(), in),
                0, null, format, null, out, true, threads, null), Progress.none());
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "seconds=%.3f peak_rss_bytes=%d modules=%d min_energy=%.6f%n", seconds,
                peakRss(), s.modules(), s.minRetainedEnergy());
    }

    /** VmHWM of this process from /proc (Linux); -1 elsewhere. */
    static long peakRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.trim().split("\\s+");
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        return -1;
    }
}
