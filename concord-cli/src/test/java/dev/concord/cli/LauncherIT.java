package dev.concord.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real launcher, bin/concord, as a user's shell would (against the jar this build made). */
class LauncherIT {
    static final Path ROOT = Path.of(System.getProperty("concord.root", ".")).toAbsolutePath();
    static final String JAR = System.getProperty("concord.jar");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("bin/concord").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CONCORD_JAR", JAR);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void versionPrintsCleanlyWithoutTheIncubatorWarning() throws Exception {
        Result r = launch(Map.of(), "--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("concord ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void failingCommandPrintsExactlyOneErrorLine() throws Exception {
        Result r = launch(Map.of(), "inspect", tmp.resolve("missing").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: " + tmp.resolve("missing") + ": no such file or directory\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void nonAsciiArgumentsAndPathsSurviveTheCLocale() throws Exception {
        Path model = TinyModelDir.write(tmp.resolve("modèle-日本"), 16, 32, 1, 2, 2, 10, DType.F32);
        Result ok = launch(Map.of("LC_ALL", "C", "LANG", "C"), "inspect", model.toString(), "--json");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("modèle-日本");

        Result missing = launch(Map.of("LC_ALL", "C"), "inspect", tmp.resolve("naïve-ü").toString());
        assertThat(missing.err()).contains("naïve-ü");
    }

    @Test
    void findsJdk25EvenWhenJavaHomeIsOlder() throws Exception {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(jdk17));
        Result r = launch(Map.of("JAVA_HOME", jdk17.toString()), "--version");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void explainsWhenNoJdk25Exists() throws Exception {
        Result r = launch(Map.of("JAVA_HOME", "/nonexistent", "CONCORD_JVM_DIRS", tmp.toString()), "--version");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Concord needs a JDK 25 or newer");
    }
}
