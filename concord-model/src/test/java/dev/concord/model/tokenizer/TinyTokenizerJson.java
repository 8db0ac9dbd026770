package dev.concord.model.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds small tokenizer.json files for feature tests: a byte-level or a SentencePiece-style BPE whose vocabulary
 * is derived from its merges, with whatever normalizer, pre-tokenizer, post-processor and decoder a test sets.
 */
final class TinyTokenizerJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Merges that make common English pieces, written in the byte-level alphabet (Ġ is a space). */
    static final List<String> BYTE_LEVEL_MERGES = List.of("Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "Ġ w",
            "o r", "l l", "Ġ s", "e n", "Ġ c", "Ġ o", "r e", "Ġ b", "a n", "Ġ h", "Ġh e", "he ll", "hell o", "Ġ he",
            "Ġhe ll", "Ġhell o", "w or", "wor l", "worl d", "Ġw or", "Ġwor l", "Ġworl d", "1 2", "12 3", "Ġ Ġ",
            "ĠĠ ĠĠ", "Ċ Ċ", "i s", "Ġ is", "t h", "th is", "Ġ th", "Ġth is");

    /** Merges for the SentencePiece-style model, where ▁ marks a word start. */
    static final List<String> SENTENCE_PIECE_MERGES = List.of("▁ t", "h e", "▁t he", "i n", "▁ a", "e r", "o n",
            "▁ w", "o r", "l l", "▁ h", "e l", "el l", "ell o", "▁h ello", "or l", "orl d", "▁w orld", "▁ ▁",
            "▁▁ ▁▁", "i s", "▁ is", "t h", "th is", "▁ th", "▁th is", "a b", "ab c");

    private final ObjectNode root = MAPPER.createObjectNode();

    private TinyTokenizerJson(ObjectNode model) {
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putNull("decoder");
        root.set("model", model);
    }

    /** A byte-level BPE over GPT-2's 256-character alphabet plus {@link #BYTE_LEVEL_MERGES}. */
    static TinyTokenizerJson byteLevel() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(alphabetChar(b), vocab.size());
        }
        return new TinyTokenizerJson(model(vocab, BYTE_LEVEL_MERGES, null, false));
    }

    /**
     * A SentencePiece-style BPE: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens, the letters a–z,
     * ▁ and a little punctuation, plus {@link #SENTENCE_PIECE_MERGES}. Byte fallback is on.
     */
    static TinyTokenizerJson sentencePiece() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", 0);
        vocab.put("<s>", 1);
        vocab.put("</s>", 2);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), vocab.size());
        }
        for (char c : "▁abcdefghijklmnopqrstuvwxyz.,!?".toCharArray()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        TinyTokenizerJson json = new TinyTokenizerJson(model(vocab, SENTENCE_PIECE_MERGES, "<unk>", true));
        json.addedToken(0, "<unk>", true).addedToken(1, "<s>", true).addedToken(2, "</s>", true);
        return json;
    }

    private static ObjectNode model(Map<String, Integer> vocab, List<String> merges, String unk, boolean fallback) {
        for (String merge : merges) {
            String joined = merge.replace(" ", "");
            vocab.putIfAbsent(joined, vocab.size());
        }
        ObjectNode model = MAPPER.createObjectNode();
        model.put("type", "BPE");
        model.putNull("dropout");
        if (unk == null) {
            model.putNull("unk_token");
        } else {
            model.put("unk_token", unk);
        }
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", fallback);
        model.put("byte_fallback", fallback);
        model.put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergeNode = model.putArray("merges");
        merges.forEach(mergeNode::add);
        return model;
    }

    static String alphabetChar(int b) {
        boolean keepsItself = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (keepsItself) {
            return String.valueOf((char) b);
        }
        int shifted = 0;
        for (int x = 0; x < b; x++) {
            boolean keeps = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (!keeps) {
                shifted++;
            }
        }
        return String.valueOf((char) (256 + shifted));
    }

    TinyTokenizerJson normalizer(String json) {
        root.set("normalizer", parse(json));
        return this;
    }

    TinyTokenizerJson preTokenizer(String json) {
        root.set("pre_tokenizer", parse(json));
        return this;
    }

    TinyTokenizerJson postProcessor(String json) {
        root.set("post_processor", parse(json));
        return this;
    }

    TinyTokenizerJson decoder(String json) {
        root.set("decoder", parse(json));
        return this;
    }

    /** Sets a field of the model (e.g. {@code "ignore_merges", "true"}); the value is JSON. */
    TinyTokenizerJson model(String field, String json) {
        ((ObjectNode) root.get("model")).set(field, parse(json));
        return this;
    }

    /** The model's vocabulary, to add tokens to. */
    ObjectNode vocab() {
        return (ObjectNode) root.get("model").get("vocab");
    }

    TinyTokenizerJson addedToken(int id, String content, boolean special) {
        return addedToken(id, content, special, false, false, false, !special);
    }

    TinyTokenizerJson addedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
                                 boolean singleWord, boolean normalized) {
        ((ArrayNode) root.get("added_tokens")).addObject().put("id", id).put("content", content)
                .put("single_word", singleWord).put("lstrip", lstrip).put("rstrip", rstrip)
                .put("normalized", normalized).put("special", special);
        return this;
    }

    /** The next free id of the model vocabulary. */
    int nextId() {
        return vocab().size();
    }

    ObjectNode root() {
        return root;
    }

    Path write(String name) {
        Path file = TokenizerFixtures.scratch("tiny").resolve(name + ".json");
        try {
            Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON in test: " + json, e);
        }
    }
}
