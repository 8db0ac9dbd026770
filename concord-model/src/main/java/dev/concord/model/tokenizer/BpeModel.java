package dev.concord.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of a tokenizer.json: splits one pre-tokenized word into characters (with SentencePiece-style byte
 * fallback or an unknown token for characters outside the vocabulary) and applies the merges.
 *
 * <p>Immutable apart from a bounded cache of recent words, so one instance serves many threads.
 */
final class BpeModel {
    /** Words longer than this are not cached (Hugging Face uses the same bound). */
    private static final int MAX_CACHED_WORD_LENGTH = 256;
    private static final int CACHE_CAPACITY = 50_000;

    private final Map<String, Integer> vocab;
    private final String[] tokenOfId;
    private final MergeTable merges;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;
    /** Id of the token that is exactly one BMP character, -1 if none; used when no prefix or suffix applies. */
    private final int[] idOfChar;
    /** Id of the {@code <0xXX>} token of each byte, -1 if the vocabulary lacks it. */
    private final int[] idOfByteToken;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Map<String, Integer> vocab, MergeTable merges, String unkToken, boolean fuseUnk, boolean byteFallback,
             boolean ignoreMerges, String continuingSubwordPrefix, String endOfWordSuffix) {
        this.vocab = vocab;
        this.merges = merges;
        int maxId = -1;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        this.tokenOfId = new String[maxId + 1];
        vocab.forEach((token, id) -> tokenOfId[id] = token);
        this.unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.continuingSubwordPrefix = emptyToNull(continuingSubwordPrefix);
        this.endOfWordSuffix = emptyToNull(endOfWordSuffix);
        this.idOfChar = new int[Character.MAX_VALUE + 1];
        Arrays.fill(idOfChar, -1);
        vocab.forEach((token, id) -> {
            if (token.length() == 1) {
                idOfChar[token.charAt(0)] = id;
            }
        });
        this.idOfByteToken = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            idOfByteToken[b] = id == null ? -1 : id;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Number of entries in the model's own vocabulary (added tokens not counted). */
    int vocabSize() {
        return vocab.size();
    }

    Integer idOf(String token) {
        return vocab.get(token);
    }

    /** The token string of {@code id}, or null when the model has no such id. */
    String tokenOf(int id) {
        return id >= 0 && id < tokenOfId.length ? tokenOfId[id] : null;
    }

    /** Appends the ids of {@code word} to {@code out}. */
    void tokenize(String word, IdList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        boolean cacheable = word.length() < MAX_CACHED_WORD_LENGTH;
        if (cacheable) {
            int[] hit = cache.get(word);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        int[] ids = merge(word);
        if (cacheable && cache.size() < CACHE_CAPACITY) {
            cache.put(word, ids);
        }
        out.addAll(ids);
    }

    private int[] merge(String word) {
        int[] symbols = new int[word.length() + 8];
        int count = 0;
        // A pending unknown token: emitted when a known symbol follows, or fused with the next unknown one.
        boolean unkPending = false;
        for (int i = 0; i < word.length(); ) {
            if (count + 2 > symbols.length) {
                symbols = Arrays.copyOf(symbols, symbols.length * 2);
            }
            int end = i + Character.charCount(word.codePointAt(i));
            boolean first = i == 0;
            boolean last = end == word.length();
            int id = symbolId(word, i, end, first, last);
            byte[] fallback = id < 0 && byteFallback ? byteTokensOf(symbolText(word, i, end, first, last)) : null;
            if (id >= 0) {
                if (unkPending) {
                    symbols[count++] = unkId;
                    unkPending = false;
                }
                symbols[count++] = id;
            } else if (fallback != null) {
                // Hugging Face does not flush a pending unknown token before byte tokens; neither do we.
                if (count + fallback.length > symbols.length) {
                    symbols = Arrays.copyOf(symbols, (count + fallback.length) * 2);
                }
                for (byte b : fallback) {
                    symbols[count++] = idOfByteToken[b & 0xFF];
                }
            } else if (unkId >= 0) {
                if (unkPending && !fuseUnk) {
                    symbols[count++] = unkId;
                }
                unkPending = true;
            }
            // Without an unknown token, a character outside the vocabulary is dropped, as in Hugging Face.
            i = end;
        }
        if (unkPending) {
            if (count == symbols.length) {
                symbols = Arrays.copyOf(symbols, count + 1);
            }
            symbols[count++] = unkId;
        }
        int kept = BpeWord.mergeAll(symbols, count, merges);
        return Arrays.copyOf(symbols, kept);
    }

    private int symbolId(String word, int start, int end, boolean first, boolean last) {
        boolean decorated = (continuingSubwordPrefix != null && !first) || (endOfWordSuffix != null && last);
        if (!decorated && end - start == 1) {
            return idOfChar[word.charAt(start)];
        }
        Integer id = vocab.get(symbolText(word, start, end, first, last));
        return id == null ? -1 : id;
    }

    private String symbolText(String word, int start, int end, boolean first, boolean last) {
        String symbol = word.substring(start, end);
        if (continuingSubwordPrefix != null && !first) {
            symbol = continuingSubwordPrefix + symbol;
        }
        if (endOfWordSuffix != null && last) {
            symbol = symbol + endOfWordSuffix;
        }
        return symbol;
    }

    /** The UTF-8 bytes of {@code symbol} when every one has a {@code <0xXX>} token, otherwise null. */
    private byte[] byteTokensOf(String symbol) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (idOfByteToken[b & 0xFF] < 0) {
                return null;
            }
        }
        return bytes;
    }
}
