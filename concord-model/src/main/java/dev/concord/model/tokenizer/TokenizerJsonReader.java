package dev.concord.model.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import dev.concord.error.UnsupportedFeatureException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face tokenizer.json. The model's vocabulary and merges (most of a 10 MB file) are streamed
 * straight into their final tables; the small sections are read as JSON trees and handed to the component
 * factories. Every problem is reported as one line naming the file and the JSON path.
 */
final class TokenizerJsonReader {
    /**
     * Field-name canonicalization is off: it pays for itself when the same keys recur, but a vocabulary is a
     * hundred thousand distinct keys, read once, and interning them made parsing several times slower.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build());

    /** Far above any real vocabulary (the largest are a few hundred thousand tokens). */
    static final int MAX_TOKEN_ID = 50_000_000;

    private final String file;

    private TokenizerJsonReader(Path path) {
        this.file = path.toString();
    }

    /** Everything the tokenizer needs, as read from the file. */
    record Parts(AddedVocabulary addedVocabulary, Normalizer normalizer, PreTokenizer preTokenizer, BpeModel model,
                 PostProcessor postProcessor, Decoder decoder) {
    }

    static Parts read(Path path) {
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(path + ": tokenizer file not found");
        } catch (IOException e) {
            throw new InvalidInputException(path + ": cannot read tokenizer file: " + e.getMessage(), e);
        }
        return new TokenizerJsonReader(path).parse(data);
    }

    private Parts parse(byte[] data) {
        Map<String, JsonNode> sections = new HashMap<>();
        ModelSection model = null;
        try (JsonParser parser = MAPPER.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("the file must contain one JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("model")) {
                    model = readModel(parser);
                } else {
                    sections.put(name, parser.readValueAsTree());
                }
            }
            if (parser.nextToken() != null) {
                throw invalid("unexpected content after the top-level JSON object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidInputException(file + ": not valid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot parse: " + e.getMessage(), e);
        }
        if (model == null) {
            throw invalid("missing field 'model'");
        }
        checkVersion(sections.get("version"));
        BpeModel bpe = model.build();
        Normalizer normalizer = component(sections, "normalizer") == null ? null
                : Normalizer.fromJson(component(sections, "normalizer"));
        PreTokenizer preTokenizer = component(sections, "pre_tokenizer") == null ? null
                : PreTokenizer.fromJson(component(sections, "pre_tokenizer"));
        PostProcessor postProcessor = component(sections, "post_processor") == null ? null
                : PostProcessor.fromJson(component(sections, "post_processor"));
        Decoder decoder = component(sections, "decoder") == null ? null
                : Decoder.fromJson(component(sections, "decoder"));
        List<AddedToken> declared = addedTokens(sections.get("added_tokens"));
        return new Parts(AddedVocabulary.build(declared, bpe, normalizer), normalizer, preTokenizer, bpe,
                postProcessor, decoder);
    }

    private void checkVersion(JsonNode version) {
        if (version != null && !version.isNull() && !"1.0".equals(version.asText())) {
            throw new UnsupportedFeatureException(file + ": version: tokenizer.json version '" + version.asText()
                    + "' is not supported (expected 1.0)");
        }
    }

    /** A component section, or null when absent or JSON null. */
    private JsonConfig component(Map<String, JsonNode> sections, String name) {
        JsonNode node = sections.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid(name + ": must be an object or null, found " + node.getNodeType());
        }
        return new JsonConfig(node, name, file);
    }

    private List<AddedToken> addedTokens(JsonNode node) {
        List<AddedToken> tokens = new ArrayList<>();
        if (node == null || node.isNull()) {
            return tokens;
        }
        JsonConfig holder = new JsonConfig(MAPPER.createObjectNode().set("added_tokens", node), "", file);
        for (JsonConfig token : holder.objects("added_tokens")) {
            JsonNode id = token.node().get("id");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw token.invalid("field 'id' must be a non-negative integer, found " + id);
            }
            boolean special = token.bool("special", false);
            tokens.add(new AddedToken(id.intValue(), token.string("content"), special, token.bool("lstrip", false),
                    token.bool("rstrip", false), token.bool("single_word", false),
                    token.bool("normalized", !special)));
        }
        return tokens;
    }

    private ModelSection readModel(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw invalid("model: must be an object");
        }
        ModelSection model = new ModelSection();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            switch (name) {
                case "vocab" -> model.vocab = readVocab(parser);
                case "merges" -> readMerges(parser, model);
                default -> model.settings.set(name, parser.<JsonNode>readValueAsTree());
            }
        }
        return model;
    }

    private Map<String, Integer> readVocab(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw invalid("model.vocab: must be an object mapping tokens to ids");
        }
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String token = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                    || parser.getIntValue() < 0) {
                throw invalid("model.vocab: id of token '" + token + "' must be a non-negative integer, found "
                        + parser.getText());
            }
            if (parser.getIntValue() > MAX_TOKEN_ID) {
                // Ids index arrays; a stray huge id would otherwise demand gigabytes.
                throw invalid("model.vocab: id " + parser.getIntValue() + " of token '" + token
                        + "' is larger than the supported maximum " + MAX_TOKEN_ID);
            }
            vocab.put(token, parser.getIntValue());
        }
        return vocab;
    }

    private void readMerges(JsonParser parser, ModelSection model) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw invalid("model.merges: must be an array");
        }
        model.mergeLeft = new ArrayList<>(1 << 18);
        model.mergeRight = new ArrayList<>(1 << 18);
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int index = model.mergeLeft.size();
            if (token == JsonToken.VALUE_STRING) {
                // The older spelling "left right"; the first space separates the two parts.
                String merge = parser.getText();
                int space = merge.indexOf(' ');
                if (space < 0) {
                    throw invalid("model.merges[" + index + "]: \"" + merge + "\" is not two tokens separated by"
                            + " a space");
                }
                model.mergeLeft.add(merge.substring(0, space));
                model.mergeRight.add(merge.substring(space + 1));
            } else if (token == JsonToken.START_ARRAY) {
                List<String> parts = new ArrayList<>(2);
                while (parser.nextToken() == JsonToken.VALUE_STRING) {
                    parts.add(parser.getText());
                }
                if (parser.currentToken() != JsonToken.END_ARRAY || parts.size() != 2) {
                    throw invalid("model.merges[" + index + "]: a merge pair must be an array of two strings");
                }
                model.mergeLeft.add(parts.get(0));
                model.mergeRight.add(parts.get(1));
            } else {
                throw invalid("model.merges[" + index + "]: must be a string or a pair of strings, found "
                        + parser.getText());
            }
        }
    }

    private InvalidInputException invalid(String what) {
        return new InvalidInputException(file + ": " + what);
    }

    /** The model object as streamed: its big tables and the small settings as a tree. */
    private final class ModelSection {
        Map<String, Integer> vocab;
        List<String> mergeLeft;
        List<String> mergeRight;
        final com.fasterxml.jackson.databind.node.ObjectNode settings = MAPPER.createObjectNode();

        BpeModel build() {
            JsonConfig config = new JsonConfig(settings, "model", file);
            String type = config.has("type") ? config.string("type") : (mergeLeft != null ? "BPE" : "(none)");
            if (!type.equals("BPE")) {
                throw config.unsupported("model type '" + type + "' is not supported (only BPE is)");
            }
            if (vocab == null) {
                throw config.invalid("missing field 'vocab'");
            }
            if (mergeLeft == null) {
                throw config.invalid("missing field 'merges'");
            }
            if (config.has("dropout") && settings.get("dropout").asDouble() != 0.0) {
                throw config.unsupported("BPE dropout " + settings.get("dropout")
                        + " makes encoding random; only null or 0 is supported");
            }
            String unk = config.optionalString("unk_token");
            if (unk != null && !vocab.containsKey(unk)) {
                throw config.invalid("unk_token '" + unk + "' is not in the vocabulary");
            }
            String prefix = config.optionalString("continuing_subword_prefix");
            String suffix = config.optionalString("end_of_word_suffix");
            MergeTable merges = new MergeTable(mergeLeft.size());
            for (int rank = 0; rank < mergeLeft.size(); rank++) {
                String left = mergeLeft.get(rank);
                String right = mergeRight.get(rank);
                Integer leftId = vocab.get(left);
                Integer rightId = vocab.get(right);
                // With a continuing-subword prefix ("##"), "a" + "##b" merges into "ab".
                boolean prefixed = prefix != null && !prefix.isEmpty() && right.startsWith(prefix);
                String mergedToken = left + (prefixed ? right.substring(prefix.length()) : right);
                Integer mergedId = vocab.get(mergedToken);
                String missing = leftId == null ? left : rightId == null ? right : mergedId == null ? mergedToken
                        : null;
                if (missing != null) {
                    throw config.invalid("merges[" + rank + "] (\"" + left + "\", \"" + right + "\") refers to '"
                            + missing + "', which is not in the vocabulary");
                }
                merges.put(leftId, rightId, rank, mergedId);
            }
            return new BpeModel(vocab, merges, unk, config.bool("fuse_unk", false),
                    config.bool("byte_fallback", false), config.bool("ignore_merges", false), prefix, suffix);
        }
    }
}
