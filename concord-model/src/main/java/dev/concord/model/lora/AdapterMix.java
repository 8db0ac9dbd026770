package dev.concord.model.lora;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The adapters one sequence runs with and their weights: {@code y = W x + Σ_a w_a · s_a · B_a (A_a x)}. Entries are
 * kept in increasing adapter id, the order in which updates are accumulated, so that the result of a sequence
 * never depends on the order the caller listed them in or on the rest of the batch. An adapter appears at most once.
 */
public final class AdapterMix implements Comparable<AdapterMix> {
    /** One adapter and its weight in the mix. */
    public record Entry(AdapterWeights adapter, float weight) {}

    public static final AdapterMix NONE = new AdapterMix(List.of());

    private final List<Entry> entries;

    private AdapterMix(List<Entry> entries) {
        this.entries = entries;
    }

    public static AdapterMix of(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt(e -> e.adapter().id()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).adapter().id() == sorted.get(i - 1).adapter().id()) {
                throw new IllegalArgumentException("adapter " + sorted.get(i).adapter().name()
                        + " appears twice in one mix; give it one weight");
            }
        }
        for (Entry e : sorted) {
            if (!Float.isFinite(e.weight())) {
                throw new IllegalArgumentException("adapter weight must be finite, got " + e.weight());
            }
        }
        return sorted.isEmpty() ? NONE : new AdapterMix(List.copyOf(sorted));
    }

    /** One adapter at weight 1. */
    public static AdapterMix single(AdapterWeights adapter) {
        return of(List.of(new Entry(adapter, 1f)));
    }

    public List<Entry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Orders mixes so that sequences sharing adapters (with the same weights) end up next to each other. */
    @Override
    public int compareTo(AdapterMix o) {
        int n = Math.min(entries.size(), o.entries.size());
        for (int i = 0; i < n; i++) {
            Entry a = entries.get(i);
            Entry b = o.entries.get(i);
            int c = Integer.compare(a.adapter().id(), b.adapter().id());
            if (c != 0) {
                return c;
            }
            c = Float.compare(a.weight(), b.weight());
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(entries.size(), o.entries.size());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (Entry e : entries) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(e.adapter().name()).append(':').append(e.weight());
        }
        return sb.append(']').toString();
    }
}
