package dev.concord.lab.suite;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a suite directory ({@link SuiteLayout}) and refuses anything malformed before evaluation starts, naming the
 * file and, for item errors, the line: a line that is not a JSON object with string {@code prompt} and
 * {@code answer}, a line whose {@code skill} is not the skill of its directory, a skill directory the manifest does
 * not list (or a listed one that is missing), an unknown split file, an empty split.
 */
public final class SuiteReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SuiteReader() {}

    public static Suite read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + ": suite directory not found");
        }
        Path manifestFile = dir.resolve(SuiteLayout.MANIFEST);
        OptionalLong seed = OptionalLong.empty();
        List<String> skills;
        Set<String> present = skillDirectories(dir);
        if (Files.exists(manifestFile)) {
            Manifest manifest = readManifest(manifestFile);
            seed = manifest.seed();
            skills = manifest.skills();
            for (String skill : skills) {
                if (!present.contains(skill)) {
                    throw new InvalidInputException(manifestFile + ": lists skill '" + skill + "' but "
                            + dir.resolve(skill) + " is not a directory");
                }
            }
            for (String name : present) {
                if (!skills.contains(name)) {
                    throw new InvalidInputException(dir.resolve(name) + ": unknown skill '" + name
                            + "' (not listed in " + manifestFile + ")");
                }
            }
        } else {
            skills = List.copyOf(present);
            if (skills.isEmpty()) {
                throw new InvalidInputException(dir + ": not a suite: no skill directories and no "
                        + SuiteLayout.MANIFEST);
            }
        }
        Map<String, Map<Split, List<SuiteItem>>> all = new LinkedHashMap<>();
        for (String skill : skills) {
            all.put(skill, readSkill(dir.resolve(skill), skill));
        }
        return new Suite(dir.toString(), seed, all);
    }

    /** Non-hidden subdirectories, sorted by name; each name must be a valid skill name. */
    private static Set<String> skillDirectories(Path dir) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith(".")) {
                    checkSkillName(name, p.toString());
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(dir + ": cannot list suite directory: " + e.getMessage(), e);
        }
        return names;
    }

    private static void checkSkillName(String name, String where) {
        if (!SuiteLayout.SKILL_NAME.matcher(name).matches()) {
            throw new InvalidInputException(where + ": '" + name + "' is not a valid skill name (letters, digits,"
                    + " '.', '_' and '-', starting with a letter or digit, at most 64 characters)");
        }
    }

    private record Manifest(List<String> skills, OptionalLong seed) {
    }

    private static Manifest readManifest(Path file) {
        JsonNode root = JsonObjectFile.read(JSON, file, "a JSON object");
        JsonNode format = root.get("format");
        if (format == null || !SuiteLayout.FORMAT.equals(format.asText(null))) {
            throw new InvalidInputException(file + ": field 'format' must be \"" + SuiteLayout.FORMAT + "\"");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber()) {
            throw new InvalidInputException(file + ": field 'version' must be an integer");
        }
        if (version.asLong() != SuiteLayout.VERSION) {
            throw new UnsupportedFeatureException(file + ": suite format version " + version.asLong()
                    + " is not supported (expected " + SuiteLayout.VERSION + ")");
        }
        JsonNode skillsNode = root.get("skills");
        if (skillsNode == null || !skillsNode.isArray() || skillsNode.isEmpty()) {
            throw new InvalidInputException(file + ": field 'skills' must be a non-empty array of skill names");
        }
        Set<String> skills = new LinkedHashSet<>();
        for (JsonNode s : skillsNode) {
            if (!s.isTextual()) {
                throw new InvalidInputException(file + ": skills: every entry must be a string, found " + s);
            }
            checkSkillName(s.asText(), file + ": skills");
            if (!skills.add(s.asText())) {
                throw new InvalidInputException(file + ": skills: '" + s.asText() + "' is listed twice");
            }
        }
        JsonNode seed = root.get("seed");
        if (seed != null && !seed.isNull() && !(seed.isIntegralNumber() && seed.canConvertToLong())) {
            throw new InvalidInputException(file + ": field 'seed' must be an integer, found " + seed);
        }
        return new Manifest(List.copyOf(skills), seed == null || seed.isNull() ? OptionalLong.empty()
                : OptionalLong.of(seed.asLong()));
    }

    private static Map<Split, List<SuiteItem>> readSkill(Path skillDir, String skill) {
        Map<Split, List<SuiteItem>> splits = new EnumMap<>(Split.class);
        try (Stream<Path> entries = Files.list(skillDir)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".jsonl") || name.startsWith(".")) {
                    continue; // READMEs and the like may live beside the splits
                }
                Split split = splitOf(name, p);
                splits.put(split, readSplit(p, skill));
            }
        } catch (IOException e) {
            throw new InvalidInputException(skillDir + ": cannot list: " + e.getMessage(), e);
        }
        if (splits.isEmpty()) {
            throw new InvalidInputException(skillDir + ": skill '" + skill + "' has no split files (expected "
                    + Split.TEST.fileName() + ", " + Split.VALIDATION.fileName() + " or " + Split.OOD.fileName() + ")");
        }
        return splits;
    }

    private static Split splitOf(String fileName, Path p) {
        String id = fileName.substring(0, fileName.length() - ".jsonl".length());
        for (Split s : Split.values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new InvalidInputException(p + ": unknown split '" + id + "' (split files are train.jsonl,"
                + " validation.jsonl, test.jsonl and ood.jsonl)");
    }

    private static List<SuiteItem> readSplit(Path file, String skill) {
        List<SuiteItem> items = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNumber = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean more = true;
            while (more) {
                // lines are split as bytes and decoded one by one, so that an encoding error names its line
                more = readLine(in, line, file, lineNumber + 1);
                if (!more && line.size() == 0) {
                    break;
                }
                lineNumber++;
                String text;
                try {
                    text = utf8.decode(ByteBuffer.wrap(line.toByteArray())).toString();
                } catch (CharacterCodingException e) {
                    throw new InvalidInputException(file + ":" + lineNumber + ": not valid UTF-8", e);
                }
                line.reset();
                if (!text.isBlank()) {
                    items.add(parseItem(text, file + ":" + lineNumber, skill));
                }
            }
        } catch (IOException e) {
            throw new ConcordException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (items.isEmpty()) {
            throw new InvalidInputException(file + ":" + Math.max(1, lineNumber) + ": empty split: the file holds no"
                    + " items");
        }
        return items;
    }

    /**
     * Reads the bytes of one line (without its newline) into {@code line}; false at end of file. A line longer than
     * {@link SuiteLayout#MAX_LINE} bytes is refused without buffering all of it.
     */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line, Path file, int lineNumber)
            throws IOException {
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return true;
            }
            if (line.size() >= SuiteLayout.MAX_LINE) {
                throw new InvalidInputException(file + ":" + lineNumber + ": line longer than " + SuiteLayout.MAX_LINE
                        + " bytes");
            }
            line.write(b);
        }
        return false;
    }

    private static SuiteItem parseItem(String line, String where, String skill) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where + ": not a valid JSON line: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(where + ": each line must be a JSON object with \"prompt\" and"
                    + " \"answer\"");
        }
        JsonNode named = node.get("skill");
        if (named != null && !(named.isTextual() && named.asText().equals(skill))) {
            throw new InvalidInputException(where + ": unknown skill " + named + " in a file of skill '" + skill
                    + "' (a line's \"skill\", when present, must name its directory)");
        }
        String prompt = text(node, "prompt", where);
        if (prompt.isEmpty()) {
            throw new InvalidInputException(where + ": \"prompt\" is empty");
        }
        return new SuiteItem(prompt, text(node, "answer", where));
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new InvalidInputException(where + ": missing \"" + field + "\"");
        }
        if (!v.isTextual()) {
            throw new InvalidInputException(where + ": \"" + field + "\" must be a string, found "
                    + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }
}
