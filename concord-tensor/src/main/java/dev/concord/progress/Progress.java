package dev.concord.progress;

/**
 * Where long-running work reports how far it has come. Library code takes a {@code Progress} and knows nothing of
 * terminals; the CLI supplies a bar on a terminal or plain lines otherwise. Implementations are thread-safe:
 * parallel workers may call {@link Task#advance} concurrently.
 */
public interface Progress {
    /** Starts a task of {@code total} units (use 0 when unknown). */
    Task start(String label, long total);

    /** A sink that shows nothing, for tests and library use. */
    static Progress none() {
        return (label, total) -> new Task() {
            @Override
            public void advance(long units) {}

            @Override
            public void close() {}
        };
    }

    interface Task extends AutoCloseable {
        void advance(long units);

        default void step() {
            advance(1);
        }

        /** Marks the task finished. */
        @Override
        void close();
    }
}
