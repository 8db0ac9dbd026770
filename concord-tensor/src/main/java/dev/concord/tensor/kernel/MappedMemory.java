package dev.concord.tensor.kernel;

import dev.concord.error.ResourceException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run-time memory of the same kind as a memory-mapped checkpoint: an unlinked file in {@code /dev/shm} (RAM) or the
 * temporary directory, mapped. Everything the vector loads of this process touch — weights built at run time,
 * quantized copies, kernel scratch, the bandwidth probe's buffer — comes from here or from a checkpoint mapping.
 *
 * <p>Why: the loads are compiled for the segment classes they have met, and the type profiles that decide it live
 * in JDK code shared by every caller. Once heap-array segments have passed through, products over mapped weights run
 * 2-3× slower; once plain native segments have, about 15% slower (measured: 2048 × 768 F32 GEMV over a 1 GiB set,
 * 27.5 GB/s with mapped memory only, 23.5 GB/s after one pass of a native-memory read over 1 GiB). One kind of
 * segment keeps every product on the fast path. The mapping is released when its arena closes (for
 * {@link Arena#ofAuto()}, when nothing refers to it any more); no file is left behind.
 */
public final class MappedMemory {
    private static final Path SHM = Path.of("/dev/shm");

    private MappedMemory() {}

    /** As {@link #allocate(long, String, Arena)}, released by the garbage collector. */
    public static MemorySegment allocate(long bytes, String what) {
        return allocate(bytes, what, Arena.ofAuto());
    }

    /**
     * /dev/shm when it has room for {@code bytes} (containers often give it only 64 MB, and touching a page of a
     * mapping the file system cannot back is a fault, not an exception), else the temporary directory.
     */
    private static Path directoryWithRoom(long bytes) throws IOException {
        long needed = bytes + (64L << 20);
        if (Files.isDirectory(SHM) && Files.isWritable(SHM) && Files.getFileStore(SHM).getUsableSpace() > needed) {
            return SHM;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (Files.getFileStore(tmp).getUsableSpace() > needed) {
            return tmp;
        }
        throw new IOException("no file system with room for " + bytes + " bytes");
    }

    /**
     * {@code bytes} of zeroed, writable, page-aligned memory valid until {@code arena} closes; {@code what} names it
     * in errors.
     */
    public static MemorySegment allocate(long bytes, String what, Arena arena) {
        Path file = null;
        try {
            file = Files.createTempFile(directoryWithRoom(bytes), "concord-memory-", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // the mapping outlives the channel and the file's name
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(1, bytes), arena).asSlice(0, bytes);
            }
        } catch (IOException | OutOfMemoryError e) {
            // no usable file system (or /dev/shm full): plain native memory still avoids the heap
            try {
                return arena.allocate(bytes, 4096);
            } catch (OutOfMemoryError oom) {
                throw new ResourceException("out of memory allocating " + what + " (" + bytes + " bytes asked for)", oom);
            }
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // an unlinked name is only a tidiness issue; the memory goes with the mapping
                }
            }
        }
    }
}
