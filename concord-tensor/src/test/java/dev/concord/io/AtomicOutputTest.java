package dev.concord.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir
    Path tmp;

    @Test
    void finishedFilesAndDirectoriesGetOrdinaryPermissionsAndNoTempLeftovers() throws Exception {
        Path f = tmp.resolve("out.json");
        AtomicFiles.writeString(f, "{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r--r--");

        Path d = tmp.resolve("dir");
        try (AtomicDirectory ad = AtomicDirectory.create(d, false)) {
            Files.writeString(ad.staging().resolve("a.txt"), "x");
            assertThat(d).doesNotExist();
            ad.commit();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwxr-xr-x");
        assertThat(d.resolve("a.txt")).hasContent("x");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("out.json", "dir");
        }
    }

    @Test
    void anUncommittedDirectoryLeavesNothingAndAnExistingOneIsRefusedWithoutForce() throws Exception {
        Path d = tmp.resolve("dir");
        try (AtomicDirectory ad = AtomicDirectory.create(d, false)) {
            Files.writeString(ad.staging().resolve("a.txt"), "x");
        }
        try (var s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        Files.createDirectories(d);
        assertThatThrownBy(() -> AtomicDirectory.create(d, false)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already exists");
        Files.writeString(d.resolve("old.txt"), "old");
        try (AtomicDirectory ad = AtomicDirectory.create(d, true)) {
            Files.writeString(ad.staging().resolve("new.txt"), "new");
            ad.commit();
        }
        assertThat(d.resolve("new.txt")).exists();
        assertThat(d.resolve("old.txt")).doesNotExist();
    }

    @Test
    void aReplaceThatFailsHalfwayPutsThePreviousDirectoryBack() throws Exception {
        Path d = tmp.resolve("dir");
        Files.createDirectories(d);
        Files.writeString(d.resolve("old.txt"), "old");
        try (AtomicDirectory ad = AtomicDirectory.create(d, true)) {
            // the staging directory vanishes before the rename: the second move of the replace fails
            AtomicDirectory.deleteTree(ad.staging());
            assertThatThrownBy(ad::commit).isInstanceOf(dev.concord.error.ConcordException.class)
                    .hasMessageContaining("cannot move output into");
        }
        assertThat(Files.readString(d.resolve("old.txt"))).isEqualTo("old");
        try (var s = Files.list(tmp)) {
            assertThat(s).containsExactly(d);
        }
    }
}
