package dev.concord.io;

import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An output directory that appears complete or not at all. Work is written into a hidden temporary directory
 * beside the target; {@link #commit()} renames it into place, {@link #close()} without commit deletes it. With
 * {@code force}, an existing target is replaced only at commit time, so a failed run leaves the old one intact.
 */
public final class AtomicDirectory implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final boolean force;
    private boolean committed;

    private AtomicDirectory(Path target, Path staging, boolean force) {
        this.target = target;
        this.staging = staging;
        this.force = force;
    }

    /** Refuses an existing target unless {@code force}; creates the staging directory. */
    public static AtomicDirectory create(Path target, boolean force) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !force) {
            throw new InvalidInputException(target + ": already exists (choose a new --out, or pass --force to replace it)");
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new InvalidInputException(target + ": exists and is not a directory");
        }
        try {
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
            return new AtomicDirectory(abs, staging, force);
        } catch (IOException e) {
            throw new ConcordException("cannot create " + target + ": " + e.getMessage(), e);
        }
    }

    /** Where to write the files; becomes {@link #target()} at commit. */
    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    public void commit() {
        try {
            Permissions.makeShareable(staging);
            if (force && Files.exists(target)) {
                Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
                Files.move(target, old.resolve("d"), StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    // put the previous directory back: a failed replace must leave the old output in place
                    Files.move(old.resolve("d"), target, StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(old);
                    throw e;
                }
                deleteTree(old);
            } else {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            }
            committed = true;
        } catch (IOException e) {
            throw new ConcordException("cannot move output into " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteTree(staging);
        }
    }

    /** Recursive delete, best effort: used only on our own temporary trees. */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // leftovers are hidden temp names; never fail the command over them
        }
    }
}
