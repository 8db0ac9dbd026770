package dev.concord.model.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.ResourceException;
import dev.concord.model.kv.KvBlockPool;
import dev.concord.model.kv.SequenceKv;
import dev.concord.model.weights.ModelWeights;
import org.junit.jupiter.api.Test;

class KvBlockPoolTest {
    @Test
    void sequencesTakeBlocksAsTheyGrowAndGiveThemBack() {
        KvBlockPool pool = new KvBlockPool(2, 8, 4, 5);
        SequenceKv a = new SequenceKv(pool);
        SequenceKv b = new SequenceKv(pool);
        a.reserve(5);
        assertThat(a.blockCount()).isEqualTo(2);
        b.reserve(4);
        assertThat(pool.usedBlocks()).isEqualTo(3);
        a.reserve(8);
        assertThat(a.blockCount()).as("still two blocks for 8 positions").isEqualTo(2);
        assertThat(a.block(0)).isNotEqualTo(b.block(0));
        assertThat(a.slot(6)).isEqualTo(2);
        a.release();
        assertThat(pool.usedBlocks()).isEqualTo(1);
        a.release();
        assertThat(pool.usedBlocks()).as("release is idempotent").isEqualTo(1);
        b.release();
        assertThat(pool.freeBlocks()).isEqualTo(5);
    }

    @Test
    void aFullPoolIsReportedWithItsSizeAndRollsBack() {
        KvBlockPool pool = new KvBlockPool(1, 4, 2, 3);
        SequenceKv a = new SequenceKv(pool);
        a.reserve(4);
        SequenceKv b = new SequenceKv(pool);
        assertThatThrownBy(() -> b.reserve(4)).isInstanceOf(ResourceException.class)
                .hasMessageContaining("3 blocks").hasMessageContaining("bytes");
        assertThat(b.blockCount()).isZero();
        assertThat(pool.usedBlocks()).isEqualTo(2);
    }

    @Test
    void engineStepsFailCleanlyWhenTheCacheIsFull() {
        try (ModelWeights w = ModelWeights.load(ReferenceCases.model("llama-f32"));
                InferenceEngine e = new InferenceEngine(w, EngineOptions.defaults().withThreads(1).withKvBlockSize(4)
                        .withKvMaxTokens(8))) {
            Sequence s = e.newSequence();
            e.forwardLast(s, 1, 2, 3, 4, 5, 6, 7, 8);
            Sequence t = e.newSequence();
            assertThatThrownBy(() -> e.forwardLast(t, 1)).isInstanceOf(ResourceException.class);
            s.close();
            assertThat(e.forwardLast(t, 1)).hasSize(272);
            t.close();
            assertThat(e.kvPool().usedBlocks()).isZero();
        }
    }
}
