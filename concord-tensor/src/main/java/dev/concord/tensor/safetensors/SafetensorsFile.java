package dev.concord.tensor.safetensors;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.ResourceException;
import dev.concord.error.UnsupportedFeatureException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatCodec;
import dev.concord.tensor.FloatMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A safetensors file opened over one read-only memory map. The header is validated completely at open; tensor
 * data is never copied to the heap unless a caller asks for floats. Close to unmap (reads after close fail).
 *
 * <p>Only the header is read with ordinary I/O (at most {@link SafetensorsHeader#MAX_HEADER_BYTES}); the whole
 * file is then mapped once, so opening a 100 GB checkpoint costs address space, not heap.
 */
public final class SafetensorsFile implements AutoCloseable {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final SafetensorsHeader header;
    private final Arena arena;
    private final MemorySegment data;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, SafetensorsHeader header, Arena arena, MemorySegment data) {
        this.path = path;
        this.header = header;
        this.arena = arena;
        this.data = data;
    }

    public static SafetensorsFile open(Path path) {
        String where = path.toString();
        if (!Files.exists(path)) {
            throw new InvalidInputException(where + ": no such file");
        }
        // A FIFO or device would block or never end; only a regular file can be a safetensors file.
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(where + ": not a regular file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new InvalidInputException(where + ": too short for a safetensors file (" + fileSize
                        + " bytes; the 8-byte header length alone is missing)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 0 || headerLen > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new InvalidInputException(where + ": header length " + Long.toUnsignedString(headerLen)
                        + " exceeds the 100 MB limit (not a safetensors file, or corrupt)");
            }
            if (8 + headerLen > fileSize) {
                throw new InvalidInputException(where + ": header length " + headerLen + " runs past the end of the "
                        + fileSize + "-byte file (truncated?)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            long dataStart = 8 + headerLen;
            SafetensorsHeader header = SafetensorsHeader.parse(headerBuf.array(), fileSize - dataStart, where);
            Arena arena = Arena.ofShared();
            MemorySegment mapped;
            try {
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
            } catch (IOException | OutOfMemoryError e) {
                arena.close();
                throw new ResourceException(where + ": cannot memory-map " + fileSize + " bytes: " + e.getMessage(), e);
            }
            return new SafetensorsFile(path, header, arena, mapped.asSlice(dataStart));
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(where + ": no such file");
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Tensors in header order. */
    public Collection<TensorEntry> tensors() {
        return header.tensors().values();
    }

    public Set<String> names() {
        return header.tensors().keySet();
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    public TensorEntry entry(String name) {
        TensorEntry e = header.tensors().get(name);
        if (e == null) {
            throw new InvalidInputException(path + ": no tensor named '" + name + "'");
        }
        return e;
    }

    /** The raw little-endian bytes of a tensor: a read-only view into the memory map, never a copy. */
    public MemorySegment segment(String name) {
        TensorEntry e = entry(name);
        return data.asSlice(e.begin(), e.byteSize());
    }

    /** All elements widened to float32 (F32, F16, BF16 only). */
    public float[] readFloats(String name) {
        TensorEntry e = entry(name);
        long n = e.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ResourceException(path + ": tensor '" + name + "' has " + n
                    + " elements, too many for one float array", null);
        }
        float[] out = new float[(int) n];
        readFloats(name, 0, out, 0, (int) n);
        return out;
    }

    /** Reads {@code count} elements starting at element {@code first} of a tensor into {@code dst}. */
    public void readFloats(String name, long first, float[] dst, int dstOffset, int count) {
        TensorEntry e = entry(name);
        DType dt = e.dtype();
        if (!dt.readableAsFloat()) {
            throw new UnsupportedFeatureException(path + ": tensor '" + name + "' has dtype " + dt
                    + "; Concord reads F32, F16 and BF16 tensors as floats");
        }
        if (first < 0 || count < 0 || first > e.numel() - count) {
            throw new IndexOutOfBoundsException("elements " + first + "+" + count + " of " + e);
        }
        try {
            MemorySegment seg = data.asSlice(e.begin(), e.byteSize());
            decode(dt, seg, first, dst, dstOffset, count);
        } catch (IllegalStateException closed) {
            throw new ConcordException(path + " was closed before reading '" + name + "'", closed);
        }
    }

    static void decode(DType dt, MemorySegment seg, long first, float[] dst, int dstOffset, int count) {
        switch (dt) {
            case F32 -> MemorySegment.copy(seg, F32_LE, first * 4, dst, dstOffset, count);
            case BF16 -> {
                short[] tmp = new short[Math.min(count, 1 << 16)];
                for (int done = 0; done < count; done += tmp.length) {
                    int len = Math.min(tmp.length, count - done);
                    MemorySegment.copy(seg, I16_LE, (first + done) * 2, tmp, 0, len);
                    for (int i = 0; i < len; i++) {
                        dst[dstOffset + done + i] = FloatCodec.bf16ToFloat(tmp[i]);
                    }
                }
            }
            case F16 -> {
                short[] tmp = new short[Math.min(count, 1 << 16)];
                for (int done = 0; done < count; done += tmp.length) {
                    int len = Math.min(tmp.length, count - done);
                    MemorySegment.copy(seg, I16_LE, (first + done) * 2, tmp, 0, len);
                    for (int i = 0; i < len; i++) {
                        dst[dstOffset + done + i] = FloatCodec.f16ToFloat(tmp[i]);
                    }
                }
            }
            default -> throw new IllegalArgumentException("not a float dtype: " + dt);
        }
    }

    /** A 2-D tensor as a heap matrix. */
    public FloatMatrix readMatrix(String name) {
        TensorEntry e = entry(name);
        if (e.rank() != 2) {
            throw new InvalidInputException(path + ": tensor '" + name + "' has shape " + e.shapeString()
                    + ", expected a matrix");
        }
        if (e.dim(0) > Integer.MAX_VALUE || e.dim(1) > Integer.MAX_VALUE) {
            throw new InvalidInputException(path + ": tensor '" + name + "' is too large: " + e.shapeString());
        }
        return new FloatMatrix((int) e.dim(0), (int) e.dim(1), readFloats(name));
    }

    @Override
    public void close() {
        // idempotent: a checkpoint directory closes its shards, and a caller may have closed one already
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
