package dev.concord.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Temporary files and directories are created owner-only (0600 / 0700) for safety while they are written; the
 * finished output should have the ordinary permissions of a file the user made (0644 / 0755) before it is renamed
 * into place.
 */
public final class Permissions {
    private Permissions() {}

    public static void makeShareable(Path p) {
        try {
            if (Files.isDirectory(p)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system, or not ours to change: keep what the system gave
        }
    }
}
