package dev.concord.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer in plain Java that produces the same ids as Hugging Face's
 * {@code tokenizers} library, for BPE models: byte-level ones (Llama 3, Qwen 2/3, GPT-2 style) and SentencePiece-style
 * ones with byte fallback (Llama 2, Mistral).
 *
 * <p>Encoding runs Hugging Face's pipeline: added tokens are cut out of the raw text, the rest is normalized,
 * pre-tokenized into words and each word is merged by the BPE model; the post-processor then adds the special
 * tokens of its template if asked to. Truncation and padding settings in the file are ignored: callers decide
 * lengths. Instances are immutable and thread-safe.
 */
public final class Tokenizer {
    private final AddedVocabulary added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final OptionalInt bosTokenId;
    private final OptionalInt eosTokenId;
    private final int vocabSize;

    private Tokenizer(TokenizerJsonReader.Parts parts, Path configFile) {
        this.added = parts.addedVocabulary();
        this.normalizer = parts.normalizer();
        this.preTokenizer = parts.preTokenizer();
        this.model = parts.model();
        this.postProcessor = parts.postProcessor();
        this.decoder = parts.decoder();
        JsonNode config = readTokenizerConfig(configFile);
        this.bosTokenId = specialTokenId(config, "bos_token", true);
        this.eosTokenId = specialTokenId(config, "eos_token", false);
        int size = model.vocabSize();
        for (AddedToken token : added.tokens()) {
            if (model.idOf(token.content()) == null) {
                size++;
            }
        }
        this.vocabSize = size;
    }

    /**
     * Loads a tokenizer.json. If a {@code tokenizer_config.json} lies beside it, its {@code bos_token} and
     * {@code eos_token} are used for {@link #bosTokenId()} and {@link #eosTokenId()}.
     *
     * @throws InvalidInputException if the file is missing, is not valid JSON or is inconsistent (the message
     *                               names the file and the JSON path); {@link dev.concord.error.UnsupportedFeatureException}
     *                               if it uses a component this tokenizer does not implement
     */
    public static Tokenizer load(Path tokenizerJson) {
        TokenizerJsonReader.Parts parts = TokenizerJsonReader.read(tokenizerJson);
        Path parent = tokenizerJson.toAbsolutePath().getParent();
        return new Tokenizer(parts, parent == null ? null : parent.resolve("tokenizer_config.json"));
    }

    /** The ids of {@code text} without special tokens; equals Hugging Face's {@code encode(text, add_special_tokens=False)}. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The ids of {@code text}; with {@code addSpecialTokens} the post-processor's template adds its special tokens
     * (for example the BOS token), as Hugging Face's default {@code encode(text)} does.
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        return postProcess(List.of(encodeSequence(text)), addSpecialTokens);
    }

    /** The ids of a pair of texts, joined by the post-processor's pair template. */
    public int[] encodePair(String first, String second, boolean addSpecialTokens) {
        return postProcess(List.of(encodeSequence(first), encodeSequence(second)), addSpecialTokens);
    }

    /** The text of {@code ids}, special tokens included; equals Hugging Face's {@code decode(ids, skip_special_tokens=False)}. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}. Ids that name no token are skipped, as Hugging Face skips them.
     *
     * @param skipSpecialTokens leave out the added tokens marked special
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = tokenOrNull(id);
            if (token != null && !(skipSpecialTokens && added.isSpecial(token))) {
                tokens.add(token);
            }
        }
        return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decodeChain(tokens));
    }

    /** Number of distinct tokens: the model's vocabulary together with the added tokens. */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * The token string of {@code id} (as stored in the vocabulary, so byte-level tokens show their alphabet, e.g.
     * {@code Ġthe}).
     *
     * @throws InvalidInputException if no token has this id
     */
    public String idToken(int id) {
        String token = tokenOrNull(id);
        if (token == null) {
            throw new InvalidInputException("token id " + id + " is not in the tokenizer's vocabulary");
        }
        return token;
    }

    /** The id of a token string (added tokens first, then the model's vocabulary). */
    public OptionalInt tokenId(String token) {
        Integer id = added.idOf(token);
        if (id == null) {
            id = model.idOf(token);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The beginning-of-sequence token: tokenizer_config.json's {@code bos_token} if that file is beside the
     * tokenizer.json, otherwise the special token the single template puts before the text, otherwise a
     * conventionally named special token ({@code <s>}, {@code <|begin_of_text|>}, {@code <bos>}).
     */
    public OptionalInt bosTokenId() {
        return bosTokenId;
    }

    /**
     * The end-of-sequence token, found like {@link #bosTokenId()}: tokenizer_config.json's {@code eos_token}, the
     * special token the single template puts after the text, or a conventional name ({@code </s>},
     * {@code <|end_of_text|>}, {@code <|endoftext|>}, {@code <eos>}).
     */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }

    /** The added tokens by ascending id. */
    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    private String tokenOrNull(int id) {
        String token = added.contentOf(id);
        return token != null ? token : model.tokenOf(id);
    }

    private int[] encodeSequence(String text) {
        String input = withoutLoneSurrogates(Objects.requireNonNull(text, "text"));
        List<Piece> pieces = added.extractAndNormalize(input, normalizer);
        if (preTokenizer != null) {
            pieces = preTokenizer.apply(pieces);
        }
        IdList ids = new IdList(input.length() / 3 + 4);
        for (Piece piece : pieces) {
            if (piece.isToken()) {
                ids.add(piece.tokenId());
            } else {
                model.tokenize(piece.text(), ids);
            }
        }
        return ids.toArray();
    }

    private int[] postProcess(List<int[]> sequences, boolean addSpecialTokens) {
        List<int[]> parts = postProcessor == null ? sequences : postProcessor.process(sequences, addSpecialTokens);
        IdList out = new IdList(parts.stream().mapToInt(p -> p.length).sum());
        for (int[] part : parts) {
            out.addAll(part);
        }
        return out.toArray();
    }

    /**
     * Java strings may hold unpaired surrogates, Rust strings cannot; they are read as U+FFFD, which is what
     * encoding the string to UTF-8 for Hugging Face would make of them.
     */
    private static String withoutLoneSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return replaceLoneSurrogates(text);
                }
                i++;
            }
        }
        return text;
    }

    private static String replaceLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    private static JsonNode readTokenizerConfig(Path configFile) {
        if (configFile == null || !Files.isRegularFile(configFile)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(configFile.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(configFile + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private OptionalInt specialTokenId(JsonNode config, String field, boolean beginning) {
        if (config != null && config.has(field)) {
            JsonNode value = config.get(field);
            String content = value.isTextual() ? value.textValue()
                    : value.isObject() && value.path("content").isTextual() ? value.get("content").textValue() : null;
            return content == null ? OptionalInt.empty() : tokenId(content);
        }
        OptionalInt fromTemplate = templateNeighbour(beginning);
        if (fromTemplate.isPresent()) {
            return fromTemplate;
        }
        List<String> conventional = beginning ? List.of("<s>", "<|begin_of_text|>", "<bos>")
                : List.of("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>");
        for (String name : conventional) {
            if (added.isSpecial(name)) {
                return tokenId(name);
            }
        }
        return OptionalInt.empty();
    }

    /** The special token the single template puts right before (or right after) the text, if any. */
    private OptionalInt templateNeighbour(boolean before) {
        if (postProcessor == null) {
            return OptionalInt.empty();
        }
        int[] marker = new int[0];
        List<int[]> parts = postProcessor.process(List.of(marker), true);
        int at = -1;
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) == marker) {
                at = i;
            }
        }
        if (at < 0) {
            return OptionalInt.empty();
        }
        if (before && at > 0 && parts.get(at - 1).length > 0) {
            int[] part = parts.get(at - 1);
            return OptionalInt.of(part[part.length - 1]);
        }
        if (!before && at + 1 < parts.size() && parts.get(at + 1).length > 0) {
            return OptionalInt.of(parts.get(at + 1)[0]);
        }
        return OptionalInt.empty();
    }
}
