package dev.concord.merge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TiesConsensusTest {
    private static float[] merge(TiesConsensus c, float[][] stack, double... w) {
        float[] out = new float[stack[0].length];
        c.combine(stack, 0, out.length, w, out, 0);
        return out;
    }

    @Test
    void peftTotalElectsTheSignOfTheUnweightedSumAndAveragesAgreeingWeightedEntries() {
        float[][] stack = {{1f, -2f, 0f, 3f}, {-0.5f, -1f, 0f, -3f}, {2f, 4f, 0f, 0f}};
        float[] out = merge(TiesConsensus.peft(MajoritySign.TOTAL), stack, 1.0, 2.0, 0.5);
        // col 0: sum 2.5 > 0 → +; agreeing t = 1 (w 1), 2 (w .5): (1 + 1) / 2 = 1
        // col 1: sum 1 → +; only 4 (w .5) agrees: 2 / 1
        // col 2: all zero → 0; col 3: sum 0 → + (0 counts as +); only 3 (w 1) agrees: 3
        assertThat(out).containsExactly(1f, 2f, 0f, 3f);
    }

    @Test
    void frequencyCountsSignsNotMagnitudes() {
        float[][] stack = {{10f}, {-1f}, {-1f}};
        assertThat(merge(TiesConsensus.peft(MajoritySign.FREQUENCY), stack, 1, 1, 1)).containsExactly(-1f);
        assertThat(merge(TiesConsensus.peft(MajoritySign.TOTAL), stack, 1, 1, 1)).containsExactly(10f);
    }

    @Test
    void unweightedElectionIgnoresNegativeWeightsWhenVoting() {
        // PEFT votes on the trimmed, unweighted stack: t = (1, 1), w = (1, -3): + wins, both agree,
        // result (1·1 + (−3)·1) / 2 = −1. mergekit votes on w·t = (1, −3): − wins, only the second agrees.
        float[][] stack = {{1f}, {1f}};
        assertThat(merge(TiesConsensus.peft(MajoritySign.TOTAL), stack, 1, -3)).containsExactly(-1f);
        TiesConsensus mergekit = new TiesConsensus(MajoritySign.TOTAL, true, DisjointMean.WEIGHT);
        // divisor = Σ agreeing weights = −3: −3 / −3 = 1
        assertThat(merge(mergekit, stack, 1, -3)).containsExactly(1f);
        TiesConsensus sum = new TiesConsensus(MajoritySign.TOTAL, true, DisjointMean.SUM);
        assertThat(merge(sum, stack, 1, -3)).containsExactly(-3f);
    }

    @Test
    void weightDivisorOfZeroLeavesTheSum() {
        float[][] stack = {{2f}, {1f}};
        TiesConsensus c = new TiesConsensus(MajoritySign.TOTAL, false, DisjointMean.WEIGHT);
        assertThat(merge(c, stack, 1, -1)[0]).isCloseTo(1f, within(0f));
    }

    @Test
    void absentTasksNeverVote() {
        float[][] stack = {{-1f}, null, {-2f}};
        assertThat(merge(TiesConsensus.peft(MajoritySign.TOTAL), stack, 1, 100, 1)).containsExactly(-1.5f);
    }
}
