package dev.concord.model.tokenizer;

import java.util.Arrays;

/**
 * Applies BPE merges to one word, lowest rank first (ties: leftmost first), exactly in the order Hugging Face's
 * {@code Word::merge_all} does, including its treatment of queue entries that went stale.
 *
 * <p>Symbols form a doubly linked list over arrays; candidate merges sit in a binary min-heap keyed by
 * (rank, position), so a word of n symbols costs O(n log n).
 */
final class BpeWord {
    private BpeWord() {
    }

    /**
     * Merges the symbols {@code ids[0..count)} in place and returns how many remain (they are compacted to the front
     * of {@code ids}).
     */
    static int mergeAll(int[] ids, int count, MergeTable merges) {
        if (count < 2) {
            return count;
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        boolean[] removed = new boolean[count];
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        Heap heap = new Heap(count);
        for (int i = 0; i + 1 < count; i++) {
            long entry = merges.get(ids[i], ids[i + 1]);
            if (entry >= 0) {
                heap.push(MergeTable.rankOf(entry), i, MergeTable.mergedIdOf(entry));
            }
        }
        while (heap.size > 0) {
            int pos = heap.topPosition();
            int newId = heap.topNewId();
            heap.pop();
            if (removed[pos] || next[pos] == -1) {
                continue;
            }
            int right = next[pos];
            // A stale entry: the pair at pos changed since it was queued and no longer merges into newId.
            long current = merges.get(ids[pos], ids[right]);
            if (current < 0 || MergeTable.mergedIdOf(current) != newId) {
                continue;
            }
            ids[pos] = newId;
            removed[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                long withPrevious = merges.get(ids[prev[pos]], ids[pos]);
                if (withPrevious >= 0) {
                    heap.push(MergeTable.rankOf(withPrevious), prev[pos], MergeTable.mergedIdOf(withPrevious));
                }
            }
            if (next[pos] >= 0) {
                long withNext = merges.get(ids[pos], ids[next[pos]]);
                if (withNext >= 0) {
                    heap.push(MergeTable.rankOf(withNext), pos, MergeTable.mergedIdOf(withNext));
                }
            }
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (!removed[i]) {
                ids[kept++] = ids[i];
            }
        }
        return kept;
    }

    /** A min-heap of (rank, position) keys with the merged id carried alongside. */
    private static final class Heap {
        long[] keys;
        int[] newIds;
        int size;

        Heap(int capacity) {
            keys = new long[Math.max(4, capacity)];
            newIds = new int[keys.length];
        }

        void push(int rank, int position, int newId) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                newIds = Arrays.copyOf(newIds, size * 2);
            }
            long key = ((long) rank << 32) | position;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (keys[parent] <= key) {
                    break;
                }
                keys[i] = keys[parent];
                newIds[i] = newIds[parent];
                i = parent;
            }
            keys[i] = key;
            newIds[i] = newId;
        }

        int topPosition() {
            return (int) keys[0];
        }

        int topNewId() {
            return newIds[0];
        }

        void pop() {
            size--;
            if (size == 0) {
                return;
            }
            long key = keys[size];
            int newId = newIds[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && keys[child + 1] < keys[child]) {
                    child++;
                }
                if (keys[child] >= key) {
                    break;
                }
                keys[i] = keys[child];
                newIds[i] = newIds[child];
                i = child;
            }
            keys[i] = key;
            newIds[i] = newId;
        }
    }
}
