package dev.concord.analysis;

import dev.concord.progress.Progress;
import java.nio.file.Path;

/** Manual entry point for profiling the zoo bench (not a test). */
final class BenchMain {
    public static void main(String[] args) {
        AnalysisBench.Config c = new AnalysisBench.Config(Integer.parseInt(args[0]), 16, 1024,
                Integer.parseInt(args[1]), 1);
        AnalysisBench.Result r = AnalysisBench.run(c, Path.of(args[2]), Progress.none());
        System.out.printf("modules %d pairs %d gen %.1fs analyze %.1fs (spectral %.1f, elementwise %.1f) load %.2f%n",
                r.modules(), r.pairs(), r.generateSeconds(), r.analyzeSeconds(), r.spectralSeconds(),
                r.elementwiseSeconds(), r.loadSeconds());
    }
}
