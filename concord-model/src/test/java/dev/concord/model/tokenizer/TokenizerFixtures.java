package dev.concord.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The real tokenizer files of the tests, unpacked once per test JVM into the build directory, and the tokenizers
 * (ours and Hugging Face's) loaded from them, shared by all test classes.
 */
final class TokenizerFixtures {
    /** A tokenizer file together with Hugging Face's reading of it. */
    record Fixture(String name, Path file, Tokenizer tokenizer, HfOracle oracle) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Map<String, Fixture> LOADED = new HashMap<>();

    private TokenizerFixtures() {
    }

    /** Mistral 7B v0.1: SentencePiece-style BPE with byte fallback. */
    static Fixture mistral() {
        return loaded("mistral", () -> unpack("mistral-7b-v0.1"));
    }

    /** Qwen3: byte-level BPE, NFC, merges written as pairs. */
    static Fixture qwen3() {
        return loaded("qwen3", () -> unpack("qwen3"));
    }

    /**
     * Qwen3's vocabulary dressed as Llama 3: Llama 3's pre-tokenizer (digits in groups of up to three),
     * {@code ignore_merges}, no normalizer, a BOS template inside a Sequence post-processor and a ByteLevel
     * decoder, so every Llama-3 feature is covered by a file we may commit.
     */
    static Fixture llama3Like() {
        return loaded("llama3-like", TokenizerFixtures::llama3LikeFile);
    }

    /** The real Llama 3.1 file, when the environment points at one (it is not committed; see the README). */
    static Optional<Fixture> llama31() {
        String location = System.getProperty("concord.llama3.tokenizer", System.getenv("CONCORD_LLAMA3_TOKENIZER"));
        if (location == null || location.isBlank() || !Files.isRegularFile(Paths.get(location))) {
            return Optional.empty();
        }
        return Optional.of(loaded("llama3.1", () -> Paths.get(location)));
    }

    /** A scratch directory under the build directory, so that nothing is written elsewhere. */
    static Path scratch(String name) {
        try {
            Path testClasses = Paths.get(TokenizerFixtures.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            Path dir = testClasses.getParent().resolve("tokenizer-tests").resolve(name);
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads a fixture once per JVM; re-entrant, since the Llama-3-like file is made from Qwen3's. */
    private static synchronized Fixture loaded(String name, Supplier<Path> file) {
        Fixture fixture = LOADED.get(name);
        if (fixture == null) {
            Path path = file.get();
            fixture = new Fixture(name, path, Tokenizer.load(path), HfOracle.load(path));
            LOADED.put(name, fixture);
        }
        return fixture;
    }

    /** Unpacks a committed fixture, unless an earlier test run of this build already did. */
    private static Path unpack(String directory) {
        Path target = scratch(directory);
        Path json = target.resolve("tokenizer.json");
        String gz = "/tokenizers/" + directory + "/tokenizer.json.gz";
        try {
            if (!Files.isRegularFile(json) || Files.size(json) != uncompressedSize(gz)) {
                try (InputStream in = new GZIPInputStream(resource(gz))) {
                    Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (InputStream config = resource("/tokenizers/" + directory + "/tokenizer_config.json")) {
                Files.copy(config, target.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return json;
    }

    /** The size gzip records in its last four bytes (little-endian, modulo 2^32). */
    private static long uncompressedSize(String gz) throws IOException {
        try (InputStream in = resource(gz)) {
            byte[] all = in.readAllBytes();
            int n = all.length;
            return ((all[n - 4] & 0xFFL) | (all[n - 3] & 0xFFL) << 8 | (all[n - 2] & 0xFFL) << 16
                    | (all[n - 1] & 0xFFL) << 24);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = TokenizerFixtures.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        return in;
    }

    private static Path llama3LikeFile() {
        Path qwen = qwen3().file();
        // The directory name carries a version: bump it when this recipe changes, so a stale copy is not reused.
        Path file = scratch("llama3-like-v1").resolve("tokenizer.json");
        ObjectMapper mapper = new ObjectMapper();
        try {
            if (Files.isRegularFile(file)
                    && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(qwen)) > 0) {
                return file;
            }
            ObjectNode root = (ObjectNode) mapper.readTree(qwen.toFile());
            root.putNull("normalizer");
            ObjectNode split = (ObjectNode) root.at("/pre_tokenizer/pretokenizers/0");
            String qwenPattern = split.at("/pattern/Regex").textValue();
            String llamaPattern = qwenPattern.replace("|\\p{N}|", "|\\p{N}{1,3}|");
            if (llamaPattern.equals(qwenPattern)) {
                throw new IllegalStateException("Qwen3's pre-tokenizer pattern changed: " + qwenPattern);
            }
            ((ObjectNode) split.get("pattern")).put("Regex", llamaPattern);
            ((ObjectNode) root.get("model")).put("ignore_merges", true);
            ObjectNode byteLevel = mapper.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", true)
                    .put("trim_offsets", false).put("use_regex", true);
            ObjectNode template = mapper.createObjectNode().put("type", "TemplateProcessing");
            ArrayNode single = template.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            ArrayNode pair = template.putArray("pair");
            pair.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            pair.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 1);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            ObjectNode special = template.putObject("special_tokens").putObject("<|endoftext|>");
            special.put("id", "<|endoftext|>");
            special.putArray("ids").add(151643);
            special.putArray("tokens").add("<|endoftext|>");
            ObjectNode post = mapper.createObjectNode().put("type", "Sequence");
            post.putArray("processors").add(byteLevel).add(template);
            root.set("post_processor", post);
            mapper.writeValue(file.toFile(), root);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
