package dev.concord.merge.lowrank;

import dev.concord.merge.*;
import java.nio.file.Path;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTimingTest {
    @TempDir Path tmp;
    @Test void time() {
        List<AdapterInput> in = LowRankRunnerTest.adapters("r8_f32:1", "r8_bf16:0.35", "r16_pattern:0.8", "r6_qv:0.5");
        int n = 0;
        for (String m : List.of("linear", "tsv", "knots", "lora_lego", "tsv", "knots", "lora_lego", "linear", "tsv", "knots", "tsv", "knots", "tsv", "knots")) {
            long t0 = System.nanoTime();
            MergeRunner.run(new MergeRequest(MethodRegistry.get(m), in, new FixedParameters(Map.of(), in), 7, null,
                OutputFormat.ADAPTER, null, tmp.resolve("o" + n++), false, 2, null), dev.concord.progress.Progress.none());
            System.out.println(m + " " + (System.nanoTime() - t0) / 1e6 + " ms");
        }
    }
}
