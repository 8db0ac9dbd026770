package dev.concord.tensor.kernel;

import dev.concord.error.ConcordException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of persistent threads that run one data-parallel job at a time, built for the many small calls of
 * decoding (thousands of GEMVs per second) where an executor's per-task queueing and futures would cost more than
 * the work.
 *
 * <p>A job is a number of chunks and a {@link ChunkTask}. The calling thread publishes it with one atomic write and
 * works on it too; {@code threads - 1} workers claim chunks from the same atomic counter until none are left, so a
 * slow or descheduled thread simply takes fewer chunks. Idle workers spin for {@code spinNanos} after a job (the
 * next call usually follows within microseconds) and then park. Nothing is allocated per job.
 *
 * <p>Results must not depend on which thread runs a chunk (the kernels guarantee this), so the pool is free to
 * balance load dynamically. Jobs from several calling threads are serialized.
 */
public final class ComputePool implements AutoCloseable {
    /** One chunk of a job; {@code chunk} is in [0, chunkCount). Must not throw on valid input. */
    @FunctionalInterface
    public interface ChunkTask {
        void run(int chunk);
    }

    /** Chunk counts above this are rejected: the claim word packs generation, count and next index. */
    public static final int MAX_CHUNKS = (1 << 20) - 1;

    private static final int INDEX_BITS = 20;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final long DEFAULT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static volatile ComputePool shared;

    private final int threads;
    private final long spinNanos;
    private final Worker[] workers;
    private final ReentrantLock submitLock = new ReentrantLock();
    /** generation (24 bits) | chunk count (20 bits) | next unclaimed chunk (20 bits): one CAS claims a chunk. */
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger completed = new AtomicInteger();
    private volatile ChunkTask task;
    private volatile Throwable failure;
    private volatile boolean closed;

    /** A pool of {@code threads} threads in total, counting the caller (so {@code threads - 1} workers). */
    public ComputePool(int threads) {
        this(threads, DEFAULT_SPIN_NANOS);
    }

    public ComputePool(int threads, long spinNanos) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("thread count must be in [1, 1024], got " + threads);
        }
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin time must be >= 0, got " + spinNanos);
        }
        this.threads = threads;
        this.spinNanos = spinNanos;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = Thread.ofPlatform().daemon().name("concord-kernel-" + (i + 1)).unstarted(workers[i]);
            workers[i].thread = t;
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /** The process-wide pool with one thread per available processor, created on first use and never closed. */
    public static ComputePool shared() {
        ComputePool p = shared;
        if (p == null) {
            synchronized (ComputePool.class) {
                p = shared;
                if (p == null) {
                    p = new ComputePool(Runtime.getRuntime().availableProcessors());
                    shared = p;
                }
            }
        }
        return p;
    }

    /** Threads that work on a job, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} for every chunk in [0, chunkCount) and returns when all are done. An exception thrown by a
     * chunk is rethrown here after the other chunks finish.
     */
    public void run(int chunkCount, ChunkTask task) {
        if (chunkCount < 0 || chunkCount > MAX_CHUNKS) {
            throw new IllegalArgumentException("chunk count must be in [0, " + MAX_CHUNKS + "], got " + chunkCount);
        }
        if (chunkCount == 0) {
            return;
        }
        if (workers.length == 0 || chunkCount == 1 || isPoolThread()) {
            // a chunk that itself calls run() works inline: its pool is busy with the enclosing job
            for (int c = 0; c < chunkCount; c++) {
                task.run(c);
            }
            return;
        }
        submitLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("compute pool is closed");
            }
            failure = null;
            completed.set(0);
            this.task = task;
            long generation = ((claim.get() >>> (2 * INDEX_BITS)) + 1) & 0xFFFFFF;
            long start = (generation << (2 * INDEX_BITS)) | ((long) chunkCount << INDEX_BITS);
            claim.set(start);
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            runChunks(generation, task);
            awaitCompletion(chunkCount);
            this.task = null;
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new ConcordException("a compute kernel failed: " + f, f);
            }
        } finally {
            submitLock.unlock();
        }
    }

    /**
     * Claims and runs chunks of job {@code generation} with its task {@code t}. A worker may have read a task newer
     * than the generation it saw; it then claims nothing, because the task changes only after every chunk of the
     * previous job was claimed and the claim word (compared whole by the CAS) never becomes claimable again for an
     * old generation.
     */
    private void runChunks(long generation, ChunkTask t) {
        while (true) {
            long c = claim.get();
            if ((c >>> (2 * INDEX_BITS)) != generation) {
                return;
            }
            long next = c & INDEX_MASK;
            long count = (c >>> INDEX_BITS) & INDEX_MASK;
            if (next >= count) {
                return;
            }
            if (!claim.compareAndSet(c, c + 1)) {
                continue;
            }
            try {
                t.run((int) next);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            } finally {
                completed.incrementAndGet();
            }
        }
    }

    private boolean isPoolThread() {
        if (submitLock.isHeldByCurrentThread()) {
            return true;
        }
        Thread current = Thread.currentThread();
        for (Worker w : workers) {
            if (w.thread == current) {
                return true;
            }
        }
        return false;
    }

    private void awaitCompletion(int chunkCount) {
        int spins = 0;
        while (completed.get() != chunkCount) {
            if (++spins < 1 << 12) {
                Thread.onSpinWait();
            } else {
                // another thread holds a chunk but may have lost its core (2-core machines): give it the core
                Thread.yield();
            }
        }
    }

    @Override
    public void close() {
        if (this == shared) {
            return;
        }
        submitLock.lock();
        try {
            closed = true;
        } finally {
            submitLock.unlock();
        }
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        for (Worker w : workers) {
            try {
                w.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "ComputePool[" + threads + " threads]";
    }

    private final class Worker implements Runnable {
        Thread thread;
        volatile boolean parked;

        @Override
        public void run() {
            long seenGeneration = 0;
            while (!closed) {
                long generation = claim.get() >>> (2 * INDEX_BITS);
                if (generation != seenGeneration) {
                    seenGeneration = generation;
                    ChunkTask t = task;
                    if (t != null) {
                        runChunks(generation, t);
                    }
                    continue;
                }
                idle(seenGeneration);
            }
        }

        /** Spins briefly (the next job usually comes soon), then parks until the caller unparks us. */
        private void idle(long seenGeneration) {
            long deadline = System.nanoTime() + spinNanos;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 64; i++) {
                    Thread.onSpinWait();
                }
                if ((claim.get() >>> (2 * INDEX_BITS)) != seenGeneration || closed) {
                    return;
                }
            }
            parked = true;
            // re-check after announcing: the caller reads 'parked' after publishing, so one of us sees the other
            if ((claim.get() >>> (2 * INDEX_BITS)) == seenGeneration && !closed) {
                LockSupport.park(this);
            }
            parked = false;
        }
    }
}
