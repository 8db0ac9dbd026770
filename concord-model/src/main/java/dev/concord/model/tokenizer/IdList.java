package dev.concord.model.tokenizer;

import java.util.Arrays;

/** A growable list of token ids without boxing; encode appends to one of these. */
final class IdList {
    private int[] ids;
    private int size;

    IdList(int capacity) {
        ids = new int[Math.max(4, capacity)];
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] more) {
        if (size + more.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
        }
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
