package dev.concord.tensor.safetensors;

import dev.concord.tensor.DType;
import java.nio.ByteBuffer;

/**
 * A tensor held in memory, ready to be written: either float32 values narrowed to the target dtype on write,
 * or raw little-endian bytes copied as they are (for byte-exact round trips of any dtype).
 */
public final class TensorData {
    private final TensorSpec spec;
    private final float[] floats;
    private final byte[] bytes;

    private TensorData(TensorSpec spec, float[] floats, byte[] bytes) {
        this.spec = spec;
        this.floats = floats;
        this.bytes = bytes;
    }

    public static TensorData ofFloats(String name, DType dtype, long[] shape, float[] values) {
        TensorSpec spec = new TensorSpec(name, dtype, shape);
        if (spec.numel() != values.length) {
            throw new IllegalArgumentException(name + ": shape needs " + spec.numel() + " values, got " + values.length);
        }
        return new TensorData(spec, values, null);
    }

    public static TensorData ofBytes(String name, DType dtype, long[] shape, byte[] raw) {
        TensorSpec spec = new TensorSpec(name, dtype, shape);
        if (spec.byteSize() != raw.length) {
            throw new IllegalArgumentException(name + ": shape needs " + spec.byteSize() + " bytes, got " + raw.length);
        }
        return new TensorData(spec, null, raw);
    }

    public TensorSpec spec() {
        return spec;
    }

    void writeTo(SafetensorsWriter w) {
        if (floats != null) {
            w.writeFloats(floats);
        } else if (bytes.length > 0) {
            w.writeBytes(ByteBuffer.wrap(bytes));
        }
    }
}
