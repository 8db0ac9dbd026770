package dev.concord.lab.train;

import dev.concord.lab.suite.PretrainingExample;
import dev.concord.lab.suite.SuiteItem;

import java.util.Iterator;

/** The pretraining stream as prompt/answer items, the form {@link BatchPacker} takes. */
public final class PretrainingItems implements Iterator<SuiteItem> {
    private final Iterator<PretrainingExample> examples;

    public PretrainingItems(Iterator<PretrainingExample> examples) {
        this.examples = examples;
    }

    @Override
    public boolean hasNext() {
        return examples.hasNext();
    }

    @Override
    public SuiteItem next() {
        PretrainingExample e = examples.next();
        return new SuiteItem(e.prompt(), e.answer());
    }
}
