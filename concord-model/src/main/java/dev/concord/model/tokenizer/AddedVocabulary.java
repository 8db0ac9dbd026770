package dev.concord.model.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code added_tokens} of a tokenizer.json and how they are found in input text before the model runs.
 *
 * <p>Ids are assigned the way Hugging Face assigns them when it loads a file (the id written in the file is normally
 * the same): a token already in the vocabulary keeps that id, a new one gets the next free id after the model's
 * vocabulary. Tokens with {@code normalized: false} are matched in the raw input first; the text between them is then
 * normalized and searched for the {@code normalized: true} tokens, spelled as the normalizer would spell them.
 */
final class AddedVocabulary {
    private static final Pattern WORD_CHARACTER = Pattern.compile("\\w", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> idByContent;
    private final Map<Integer, AddedToken> tokenById;
    private final List<AddedToken> byId;
    private final Set<String> specialContents;
    private final TokenTrie rawTrie;
    private final int[] rawIds;
    private final TokenTrie normalizedTrie;
    private final int[] normalizedIds;

    private AddedVocabulary(Map<String, Integer> idByContent, Map<Integer, AddedToken> tokenById,
                            Set<String> specialContents, List<AddedToken> matchOrder, Normalizer normalizer) {
        this.idByContent = idByContent;
        this.tokenById = tokenById;
        this.byId = tokenById.values().stream().sorted(Comparator.comparingInt(AddedToken::id)).toList();
        this.specialContents = specialContents;
        List<String> raw = new ArrayList<>();
        List<Integer> rawIdList = new ArrayList<>();
        List<String> normalized = new ArrayList<>();
        List<Integer> normalizedIdList = new ArrayList<>();
        for (AddedToken token : matchOrder) {
            int id = idByContent.get(token.content());
            if (token.normalized()) {
                normalized.add(normalizer == null ? token.content() : normalizer.normalize(token.content()));
                normalizedIdList.add(id);
            } else {
                raw.add(token.content());
                rawIdList.add(id);
            }
        }
        this.rawTrie = new TokenTrie(raw);
        this.rawIds = rawIdList.stream().mapToInt(Integer::intValue).toArray();
        this.normalizedTrie = new TokenTrie(normalized);
        this.normalizedIds = normalizedIdList.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Registers {@code declared} (in file order, with the ids the file states) on top of {@code model}, the way
     * Hugging Face does when it reads a tokenizer.json.
     */
    static AddedVocabulary build(List<AddedToken> declared, BpeModel model, Normalizer normalizer) {
        Map<String, Integer> idByContent = new HashMap<>();
        Map<Integer, AddedToken> tokenById = new LinkedHashMap<>();
        Set<String> specialContents = new HashSet<>();
        // Hugging Face skips a token equal in content and every flag to one it currently holds (ids left out).
        Set<AddedToken> held = new HashSet<>();
        List<AddedToken> special = new ArrayList<>();
        List<AddedToken> ordinary = new ArrayList<>();
        int maxId = -1;
        for (AddedToken token : declared) {
            String content = token.content();
            if (token.special() && !content.isEmpty() && specialContents.add(content)) {
                special.add(token);
            }
            AddedToken withoutId = new AddedToken(0, content, token.special(), token.lstrip(), token.rstrip(),
                    token.singleWord(), token.normalized());
            if (content.isEmpty() || held.contains(withoutId)) {
                continue;
            }
            Integer id = idByContent.get(content);
            if (id == null) {
                id = model.idOf(content);
            }
            if (id == null) {
                int modelSize = model.vocabSize();
                id = maxId < 0 ? modelSize : maxId >= modelSize || modelSize == 0 ? maxId + 1 : modelSize;
            }
            idByContent.put(content, id);
            maxId = Math.max(maxId, id);
            AddedToken replaced = tokenById.put(id, new AddedToken(id, content, token.special(), token.lstrip(),
                    token.rstrip(), token.singleWord(), token.normalized()));
            if (replaced != null) {
                held.remove(new AddedToken(0, replaced.content(), replaced.special(), replaced.lstrip(),
                        replaced.rstrip(), replaced.singleWord(), replaced.normalized()));
            }
            held.add(withoutId);
            if (!specialContents.contains(content)) {
                ordinary.add(token);
            }
        }
        List<AddedToken> matchOrder = new ArrayList<>(special);
        matchOrder.addAll(ordinary);
        return new AddedVocabulary(idByContent, tokenById, specialContents, matchOrder, normalizer);
    }

    Integer idOf(String content) {
        return idByContent.get(content);
    }

    /** The content of added token {@code id}, or null. */
    String contentOf(int id) {
        AddedToken token = tokenById.get(id);
        return token == null ? null : token.content();
    }

    boolean isSpecial(String content) {
        return specialContents.contains(content);
    }

    /** All added tokens by ascending id. */
    List<AddedToken> tokens() {
        return byId;
    }

    int size() {
        return tokenById.size();
    }

    /**
     * Cuts {@code text} at the added tokens it contains and normalizes the text between them (each stretch on its
     * own, as Hugging Face does). Empty stretches are dropped.
     */
    List<Piece> extractAndNormalize(String text, Normalizer normalizer) {
        List<Piece> raw = new ArrayList<>();
        split(Piece.ofText(text, true), rawTrie, rawIds, raw);
        List<Piece> out = new ArrayList<>(raw.size());
        for (Piece piece : raw) {
            if (piece.isToken()) {
                out.add(piece);
            } else {
                Piece normalized = normalizer == null ? piece : piece.withText(normalizer.normalize(piece.text()));
                split(normalized, normalizedTrie, normalizedIds, out);
            }
        }
        return out;
    }

    private void split(Piece piece, TokenTrie trie, int[] ids, List<Piece> out) {
        String sentence = piece.text();
        int startOffset = 0;
        int searchFrom = 0;
        TokenTrie.Match match;
        while ((match = trie.find(sentence, searchFrom)) != null) {
            searchFrom = match.end();
            int start = match.start();
            int stop = match.end();
            int id = ids[match.pattern()];
            AddedToken token = tokenById.get(id);
            if (token.singleWord()) {
                boolean spaceBefore = start == 0 || !isWordCharacter(sentence.codePointBefore(start));
                boolean spaceAfter = stop == sentence.length() || !isWordCharacter(sentence.codePointAt(stop));
                if (!spaceBefore || !spaceAfter) {
                    continue;
                }
            }
            if (token.lstrip()) {
                start = Math.max(startOfTrailingWhiteSpace(sentence, start), startOffset);
            }
            if (token.rstrip()) {
                stop = endOfLeadingWhiteSpace(sentence, stop);
            }
            if (startOffset < start) {
                addText(piece, startOffset, start, out);
            }
            out.add(new Piece(sentence.substring(start, stop), id, false));
            startOffset = stop;
        }
        if (startOffset < sentence.length()) {
            addText(piece, startOffset, sentence.length(), out);
        }
    }

    private static void addText(Piece piece, int start, int end, List<Piece> out) {
        if (end > start) {
            out.add(piece.slice(start, end));
        }
    }

    private static boolean isWordCharacter(int cp) {
        return WORD_CHARACTER.matcher(Character.toString(cp)).matches();
    }

    private static int startOfTrailingWhiteSpace(String s, int end) {
        int i = end;
        while (i > 0 && WhiteSpace.test(s.codePointBefore(i))) {
            i -= Character.charCount(s.codePointBefore(i));
        }
        return i;
    }

    private static int endOfLeadingWhiteSpace(String s, int start) {
        int i = start;
        while (i < s.length() && WhiteSpace.test(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return i;
    }
}
