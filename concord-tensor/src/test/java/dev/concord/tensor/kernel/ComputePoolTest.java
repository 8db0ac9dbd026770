package dev.concord.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void everyChunkRunsExactlyOnceAcrossManyBackToBackJobs() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int job = 0; job < 2000; job++) {
                int chunks = 1 + job % 37;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                pool.run(chunks, runs::incrementAndGet);
                for (int c = 0; c < chunks; c++) {
                    assertThat(runs.get(c)).as("job %d chunk %d", job, c).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void workersThatParkedAreWokenForTheNextJob() throws InterruptedException {
        try (ComputePool pool = new ComputePool(2, 0)) {
            for (int job = 0; job < 5; job++) {
                Thread.sleep(5); // long enough for the worker to park
                AtomicIntegerArray runs = new AtomicIntegerArray(8);
                pool.run(8, runs::incrementAndGet);
                for (int c = 0; c < 8; c++) {
                    assertThat(runs.get(c)).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void jobsFromSeveralCallersAreSerializedAndAllComplete() throws InterruptedException {
        try (ComputePool pool = new ComputePool(2)) {
            List<Thread> callers = new ArrayList<>();
            AtomicIntegerArray totals = new AtomicIntegerArray(4);
            for (int t = 0; t < 4; t++) {
                int caller = t;
                callers.add(Thread.ofPlatform().start(() -> {
                    for (int job = 0; job < 300; job++) {
                        pool.run(10, chunk -> totals.incrementAndGet(caller));
                    }
                }));
            }
            for (Thread c : callers) {
                c.join();
            }
            for (int t = 0; t < 4; t++) {
                assertThat(totals.get(t)).isEqualTo(3000);
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownToTheCallerAfterTheOthersFinish() {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(16);
            assertThatThrownBy(() -> pool.run(16, chunk -> {
                runs.incrementAndGet(chunk);
                if (chunk == 5) {
                    throw new IllegalStateException("chunk 5 failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 5 failed");
            for (int c = 0; c < 16; c++) {
                assertThat(runs.get(c)).isEqualTo(1);
            }
            // the pool stays usable
            AtomicIntegerArray again = new AtomicIntegerArray(4);
            pool.run(4, again::incrementAndGet);
            assertThat(again.get(3)).isEqualTo(1);
        }
    }

    @Test
    void aChunkMayRunANestedJobOnTheSamePool() {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicIntegerArray inner = new AtomicIntegerArray(6 * 5);
            pool.run(6, outer -> pool.run(5, c -> inner.incrementAndGet(outer * 5 + c)));
            for (int i = 0; i < 30; i++) {
                assertThat(inner.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void rejectsBadArgumentsAndUseAfterClose() {
        assertThatThrownBy(() -> new ComputePool(0)).isInstanceOf(IllegalArgumentException.class);
        ComputePool pool = new ComputePool(2);
        assertThatThrownBy(() -> pool.run(-1, c -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.run(ComputePool.MAX_CHUNKS + 1, c -> {}))
                .isInstanceOf(IllegalArgumentException.class);
        pool.close();
        assertThatThrownBy(() -> pool.run(4, c -> {})).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sharedPoolUsesEveryProcessor() {
        assertThat(ComputePool.shared().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(ComputePool.shared()).isSameAs(ComputePool.shared());
    }
}
