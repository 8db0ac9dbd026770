package dev.concord.merge.lowrank;

import dev.concord.adapter.*;
import dev.concord.merge.*;
import java.util.*;
import org.junit.jupiter.api.Test;

class ScratchBenchTest {
    @Test void bench() {
        Random r = new Random(1);
        int[][] shapes = {{2048, 2048}, {512, 2048}, {8192, 2048}, {2048, 8192}};
        for (int rep = 0; rep < 3; rep++)
        for (MergeMethod m : List.of(new TsvMethod(), new KnotsMethod())) {
            for (int[] s : shapes) {
                List<TaskVector> taus = new ArrayList<>();
                for (int i = 0; i < 4; i++) taus.add(Dense.random(r, s[0], s[1], 16, 0.01));
                double[] w = {1, 1, 1, 1};
                long t0 = System.nanoTime();
                for (int k = 0; k < 5; k++) Dense.merge(m, Map.of(), taus, w, 0);
                System.out.println(m.name() + " " + s[0] + "x" + s[1] + " " + (System.nanoTime() - t0) / 5e6 + " ms");
            }
        }
    }
}
