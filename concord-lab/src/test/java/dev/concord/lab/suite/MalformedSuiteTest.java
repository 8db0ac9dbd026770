package dev.concord.lab.suite;

import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A malformed suite is refused with one line naming the file and, for item problems, the line number. */
class MalformedSuiteTest {
    @TempDir
    Path dir;

    private static final String GOOD = "{\"prompt\":\"<rot3>abc\\n\",\"answer\":\"def\"}\n";

    @BeforeEach
    void aValidTwoSkillSuite() throws Exception {
        write("suite.json", "{\"format\":\"concord-suite\",\"version\":1,\"skills\":[\"rot3\",\"sort\"],\"seed\":5}");
        write("rot3/test.jsonl", GOOD + GOOD);
        write("sort/test.jsonl", "{\"skill\":\"sort\",\"prompt\":\"<sort>ba\\n\",\"answer\":\"ab\"}\n");
        SuiteReader.read(dir); // the fixture itself is valid
    }

    @Test
    void badJsonLine() throws Exception {
        write("rot3/test.jsonl", GOOD + GOOD + "{\"prompt\": \"x\", \"answer\": \n" + GOOD);
        assertRefused(dir.resolve("rot3/test.jsonl") + ":3: not a valid JSON line");
    }

    @Test
    void trailingGarbageAfterTheObject() throws Exception {
        write("rot3/test.jsonl", GOOD + "{\"prompt\":\"x\",\"answer\":\"y\"} extra\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":2: not a valid JSON line");
    }

    @Test
    void lineThatIsNotAnObject() throws Exception {
        write("rot3/test.jsonl", "[1,2]\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":1: each line must be a JSON object");
    }

    @Test
    void missingOrMistypedFields() throws Exception {
        write("rot3/test.jsonl", GOOD + "{\"prompt\":\"x\"}\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":2: missing \"answer\"");
        write("rot3/test.jsonl", "{\"prompt\":\"x\",\"answer\":5}\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":1: \"answer\" must be a string, found number");
        write("rot3/test.jsonl", "{\"prompt\":\"\",\"answer\":\"y\"}\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":1: \"prompt\" is empty");
        write("rot3/test.jsonl", "{\"prompt\":\"x\",\"prompt\":\"y\",\"answer\":\"z\"}\n");
        assertRefused(dir.resolve("rot3/test.jsonl") + ":1: not a valid JSON line");
    }

    @Test
    void lineNamingAnotherSkill() throws Exception {
        write("sort/test.jsonl", "{\"skill\":\"sort\",\"prompt\":\"a\",\"answer\":\"a\"}\n"
                + "{\"skill\":\"sorting\",\"prompt\":\"a\",\"answer\":\"a\"}\n");
        assertRefused(dir.resolve("sort/test.jsonl") + ":2: unknown skill \"sorting\"");
    }

    @Test
    void skillDirectoryTheManifestDoesNotList() throws Exception {
        write("reverse/test.jsonl", GOOD);
        assertRefused(dir.resolve("reverse") + ": unknown skill 'reverse'");
    }

    @Test
    void listedSkillWithoutDirectory() throws Exception {
        write("suite.json", "{\"format\":\"concord-suite\",\"version\":1,\"skills\":[\"rot3\",\"sort\",\"add\"]}");
        assertRefused(dir.resolve("suite.json") + ": lists skill 'add'");
    }

    @Test
    void emptySplit() throws Exception {
        write("sort/test.jsonl", "");
        assertRefused(dir.resolve("sort/test.jsonl") + ":1: empty split");
        write("sort/test.jsonl", "\n  \n\n");
        assertRefused(dir.resolve("sort/test.jsonl") + ":3: empty split");
    }

    @Test
    void skillWithoutAnySplit() throws Exception {
        Files.delete(dir.resolve("sort/test.jsonl"));
        assertRefused(dir.resolve("sort") + ": skill 'sort' has no split files");
    }

    @Test
    void unknownSplitFile() throws Exception {
        write("sort/dev.jsonl", GOOD);
        assertRefused(dir.resolve("sort/dev.jsonl") + ": unknown split 'dev'");
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        byte[] bad = (GOOD + "{\"prompt\":\"x").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] withBadByte = java.util.Arrays.copyOf(bad, bad.length + 20);
        withBadByte[bad.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
        withBadByte[bad.length + 1] = (byte) 0x28;
        byte[] tail = "\",\"answer\":\"y\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(tail, 0, withBadByte, bad.length + 2, tail.length);
        Files.write(dir.resolve("rot3/test.jsonl"), java.util.Arrays.copyOf(withBadByte, bad.length + 2 + tail.length));
        assertRefused(dir.resolve("rot3/test.jsonl") + ":2: not valid UTF-8");
    }

    @Test
    void badManifests() throws Exception {
        write("suite.json", "{\"format\":\"concord-suite\",\"version\":2,\"skills\":[\"rot3\",\"sort\"]}");
        assertThatThrownBy(() -> SuiteReader.read(dir)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith(dir.resolve("suite.json") + ": suite format version 2");
        write("suite.json", "{\"format\":\"other\",\"version\":1,\"skills\":[\"rot3\",\"sort\"]}");
        assertRefused(dir.resolve("suite.json") + ": field 'format'");
        write("suite.json", "{\"format\":\"concord-suite\",\"version\":1,\"skills\":[\"rot3\",\"rot3\"]}");
        assertRefused(dir.resolve("suite.json") + ": skills: 'rot3' is listed twice");
        write("suite.json", "{\"format\":\"concord-suite\",\"version\":1,\"skills\":[\"../x\"]}");
        assertRefused(dir.resolve("suite.json") + ": skills: '../x' is not a valid skill name");
        write("suite.json", "{\"format\":\"concord-suite\",");
        assertRefused(dir.resolve("suite.json") + ": not valid JSON at line 1");
    }

    @Test
    void notASuite() throws Exception {
        assertThatThrownBy(() -> SuiteReader.read(dir.resolve("absent"))).isInstanceOf(InvalidInputException.class)
                .hasMessage(dir.resolve("absent") + ": suite directory not found");
        Path empty = Files.createDirectories(dir.resolve("elsewhere").resolve("empty-suite"));
        assertThatThrownBy(() -> SuiteReader.read(empty)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a suite");
    }

    private void write(String relative, String text) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void assertRefused(String messageStart) {
        assertThatThrownBy(() -> SuiteReader.read(dir)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(messageStart)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
