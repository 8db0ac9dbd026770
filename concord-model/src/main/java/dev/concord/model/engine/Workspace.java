package dev.concord.model.engine;

import dev.concord.error.ResourceException;

/**
 * Activation buffers reused from one forward step to the next (steps are serialized), grown when a larger batch
 * comes. Decoding thus allocates nothing per step but its logits.
 */
final class Workspace {
    private final float[][] buffers = new float[Buffer.values().length][];

    enum Buffer { X, NORMED, Q, K, V, ATTENTION, GATE, UP, OUT, LORA }

    float[] get(Buffer b, long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new ResourceException("a forward step needs " + size
                    + " floats in one activation buffer; send fewer tokens per step", null);
        }
        float[] a = buffers[b.ordinal()];
        if (a == null || a.length < size) {
            try {
                a = new float[(int) size];
            } catch (OutOfMemoryError e) {
                throw new ResourceException("out of memory for activations (" + 4 * size
                        + " bytes asked for); send fewer tokens per step", e);
            }
            buffers[b.ordinal()] = a;
        }
        return a;
    }
}
