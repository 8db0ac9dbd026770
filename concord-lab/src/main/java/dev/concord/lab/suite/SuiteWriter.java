package dev.concord.lab.suite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.io.AtomicDirectory;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a suite in the {@link SuiteLayout directory format}; the directory appears complete or not at all. */
public final class SuiteWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SuiteWriter() {}

    /** Writes {@code suite} to {@code dir}; an existing {@code dir} is refused unless {@code force}. */
    public static void write(Suite suite, Path dir, boolean force) {
        try (AtomicDirectory out = AtomicDirectory.create(dir, force)) {
            Path root = out.staging();
            Files.writeString(root.resolve(SuiteLayout.MANIFEST), manifest(suite));
            for (String skill : suite.skills()) {
                Path skillDir = Files.createDirectories(root.resolve(skill));
                for (Split split : suite.splits(skill)) {
                    writeSplit(skill, suite.items(skill, split), skillDir.resolve(split.fileName()));
                }
            }
            out.commit();
        } catch (IOException e) {
            throw new ConcordException("cannot write suite " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String manifest(Suite suite) throws JsonProcessingException {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", SuiteLayout.FORMAT);
        m.put("version", SuiteLayout.VERSION);
        m.putArray("skills").addAll(suite.skills().stream().map(m::textNode).toList());
        suite.seed().ifPresent(seed -> m.put("seed", seed));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n";
    }

    private static void writeSplit(String skill, List<SuiteItem> items, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (SuiteItem item : items) {
                ObjectNode line = JSON.createObjectNode();
                line.put("skill", skill);
                line.put("prompt", item.prompt());
                line.put("answer", item.answer());
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
        }
    }
}
