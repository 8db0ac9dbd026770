package dev.concord.tensor.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a safetensors file as a stream: the header is fixed up front from the tensor specs, then each tensor's
 * elements are appended in spec order, so a tensor of any size can be produced in row blocks. Bytes go to a
 * temporary file beside the target that {@link #commit()} renames into place; closing without commit deletes
 * it, so a failure never leaves a partial file under the target name.
 *
 * <p>The header is padded with spaces to a multiple of 8 bytes, and all numbers are little-endian, as the
 * format requires.
 */
public final class SafetensorsWriter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final List<TensorSpec> specs;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int current;
    private long bytesOfCurrent;
    private boolean committed;

    private SafetensorsWriter(Path target, Path temp, FileChannel channel, List<TensorSpec> specs) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.specs = specs;
    }

    /** Opens a writer for the given tensors, in this order; metadata values are stored in {@code __metadata__}. */
    public static SafetensorsWriter open(Path target, List<TensorSpec> specs, Map<String, String> metadata) {
        byte[] header = headerBytes(specs, metadata);
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            while (ch == null) {
                // not Files.createTempFile: it makes owner-only files, and the renamed result should get the
                // permissions any other file the user writes gets (umask)
                temp = dir.resolve("." + target.getFileName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
                try {
                    ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                } catch (FileAlreadyExistsException taken) {
                    temp = null;
                }
            }
            SafetensorsWriter w = new SafetensorsWriter(target, temp, ch, List.copyOf(specs));
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            w.writeRaw(len);
            w.writeRaw(ByteBuffer.wrap(header));
            w.skipFinishedTensors();
            return w;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            deleteQuietly(temp);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new ConcordException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the file is deleted next; nothing to save
            }
        }
    }

    /** Writes a whole file from in-memory tensors. */
    public static void write(Path target, List<TensorData> tensors, Map<String, String> metadata) {
        List<TensorSpec> specs = tensors.stream().map(TensorData::spec).toList();
        try (SafetensorsWriter w = open(target, specs, metadata)) {
            for (TensorData t : tensors) {
                t.writeTo(w);
            }
            w.commit();
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so that the data area stays aligned. */
    static byte[] headerBytes(List<TensorSpec> specs, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + k + "=" + v);
                }
                meta.put(k, v);
            });
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (TensorSpec s : specs) {
            if (s.name().equals(SafetensorsHeader.METADATA_KEY) || !seen.add(s.name())) {
                throw new InvalidInputException("cannot write tensor name '" + s.name() + "' twice or as a reserved key");
            }
            ObjectNode t = root.putObject(s.name());
            t.put("dtype", s.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
            long size = s.byteSize();
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (json.length > SafetensorsHeader.MAX_HEADER_BYTES - 8) {
            throw new InvalidInputException("cannot write a safetensors header of " + json.length
                    + " bytes; readers refuse headers above " + SafetensorsHeader.MAX_HEADER_BYTES);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Appends {@code len} elements to the current tensor, narrowing to its dtype (F32, F16 or BF16). */
    public void writeFloats(float[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            TensorSpec s = currentSpec();
            int width = s.dtype().byteWidth();
            long remaining = (s.byteSize() - bytesOfCurrent) / width;
            int n = (int) Math.min(remaining, len - done);
            switch (s.dtype()) {
                case F32 -> {
                    for (int i = 0; i < n; i++) {
                        ensure(4);
                        buffer.putFloat(src[off + done + i]);
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        ensure(2);
                        buffer.putShort(FloatCodec.floatToBf16(src[off + done + i]));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        ensure(2);
                        buffer.putShort(FloatCodec.floatToF16(src[off + done + i]));
                    }
                }
                default -> throw new IllegalArgumentException("cannot write floats into " + s.dtype() + " tensor " + s.name());
            }
            done += n;
            advance((long) n * width);
        }
    }

    public void writeFloats(float[] src) {
        writeFloats(src, 0, src.length);
    }

    /** Appends raw little-endian bytes to the current tensor; they must hold whole elements. */
    public void writeBytes(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            TensorSpec s = currentSpec();
            int n = (int) Math.min(s.byteSize() - bytesOfCurrent, bytes.remaining());
            ByteBuffer part = bytes.slice(bytes.position(), n);
            bytes.position(bytes.position() + n);
            flush();
            writeRaw(part);
            advance(n);
        }
    }

    private TensorSpec currentSpec() {
        if (current >= specs.size()) {
            throw new IllegalStateException("more data written than the " + specs.size() + " declared tensors hold");
        }
        return specs.get(current);
    }

    private void advance(long bytes) {
        bytesOfCurrent += bytes;
        if (bytesOfCurrent == specs.get(current).byteSize()) {
            current++;
            bytesOfCurrent = 0;
            skipFinishedTensors();
        }
    }

    /** Empty tensors need no bytes: move past them so the next write goes to the right tensor. */
    private void skipFinishedTensors() {
        while (current < specs.size() && specs.get(current).byteSize() == 0) {
            current++;
        }
    }

    private void ensure(int bytes) {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void flush() {
        buffer.flip();
        writeRaw(buffer);
        buffer.clear();
    }

    private void writeRaw(ByteBuffer b) {
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new ConcordException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Checks that every declared byte was written, then atomically moves the file to its target name. */
    public void commit() {
        if (committed) {
            throw new IllegalStateException(target + " is already committed");
        }
        if (current != specs.size()) {
            throw new IllegalStateException("tensor '" + specs.get(current).name() + "' is incomplete: "
                    + bytesOfCurrent + " of " + specs.get(current).byteSize() + " bytes written");
        }
        flush();
        try {
            channel.force(false);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        } catch (IOException e) {
            throw new ConcordException("cannot write " + target + ": " + e.getMessage(), e);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename durable. Best effort: not every platform can open a directory for syncing. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the rename itself is atomic; only its durability after a power cut is left to the OS
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the temp file is deleted below; nothing more to save
            }
            deleteQuietly(temp);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a stray temp file is named as such and harmless
            }
        }
    }

}
