package dev.concord.lab.train;

import dev.concord.error.InvalidInputException;
import dev.concord.lab.suite.SuiteItem;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Fills batches from a stream of examples, as the torch prototype does: each row takes whole examples in stream
 * order until the next one would not fit, which then opens the next row (or the next batch). No example is split
 * or dropped, so a run sees the stream's examples in order.
 */
public final class BatchPacker {
    private final Iterator<SuiteItem> examples;
    private final int rows;
    private final int rowTokens;
    private TrainingExample pending;

    public BatchPacker(Iterator<SuiteItem> examples, int rows, int rowTokens) {
        if (rows < 1 || rowTokens < 2) {
            throw new InvalidInputException("a batch needs at least one row of at least 2 tokens, got " + rows
                    + " rows of " + rowTokens);
        }
        this.examples = examples;
        this.rows = rows;
        this.rowTokens = rowTokens;
    }

    /** The next batch of {@code rows} rows. */
    public PackedBatch next() {
        List<List<TrainingExample>> batch = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            List<TrainingExample> row = new ArrayList<>();
            int used = 0;
            while (true) {
                if (pending == null) {
                    SuiteItem item = examples.next();
                    pending = TrainingExample.of(item.prompt(), item.answer());
                    if (pending.length() > rowTokens) {
                        throw new InvalidInputException("a training example of " + pending.length()
                                + " tokens does not fit in a row of " + rowTokens + " (prompt "
                                + abbreviated(item.prompt()) + ")");
                    }
                }
                if (used + pending.length() > rowTokens) {
                    break;
                }
                row.add(pending);
                used += pending.length();
                pending = null;
            }
            batch.add(row);
        }
        return PackedBatch.of(batch, rowTokens);
    }

    private static String abbreviated(String s) {
        String oneLine = s.replace("\n", "\\n");
        return oneLine.length() <= 40 ? "'" + oneLine + "'" : "'" + oneLine.substring(0, 40) + "…'";
    }
}
