package dev.concord.lab.tokenizer;

import dev.concord.lab.skill.LabSkills;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lab model's character vocabulary: 128 ids, one per character, laid out so that ids read like ASCII.
 *
 * <pre>
 * 0 &lt;pad&gt;   1 &lt;s&gt; (BOS)   2 &lt;/s&gt; (EOS)   3 &lt;unk&gt;
 * 10 "\n"   32–126 the printable ASCII character with that code
 * 16–23 the skill tags &lt;json&gt; &lt;rot3&gt; &lt;unrot3&gt; &lt;sort&gt; &lt;dedup&gt; &lt;reverse&gt; &lt;add&gt; &lt;lookup&gt; (canonical order)
 * 4–9, 11–15, 24–31, 127: &lt;reserved_N&gt;, never produced by encoding
 * </pre>
 *
 * Special tokens and tags are matched in raw text wherever they occur, as Hugging Face matches added tokens; every
 * other character not in the table becomes {@code <unk>}. {@link LabTokenizerFiles} writes the same tokenizer as a
 * Hugging Face tokenizer.json, so the engine's tokenizer and this class agree id for id.
 */
public final class LabVocabulary {
    public static final int SIZE = 128;
    public static final int PAD = 0, BOS = 1, EOS = 2, UNK = 3, NEWLINE = 10;
    public static final int FIRST_TAG = 16;
    public static final String PAD_TOKEN = "<pad>", BOS_TOKEN = "<s>", EOS_TOKEN = "</s>", UNK_TOKEN = "<unk>";

    private static final String[] TOKENS = buildTokens();
    /** Added (special) tokens: the four specials and the tags, longest first so matching is leftmost-longest. */
    private static final List<Integer> SPECIAL_IDS = buildSpecialIds();

    private LabVocabulary() {}

    private static String[] buildTokens() {
        String[] t = new String[SIZE];
        for (int i = 0; i < SIZE; i++) {
            t[i] = "<reserved_" + i + ">";
        }
        t[PAD] = PAD_TOKEN;
        t[BOS] = BOS_TOKEN;
        t[EOS] = EOS_TOKEN;
        t[UNK] = UNK_TOKEN;
        t[NEWLINE] = "\n";
        for (int c = 32; c < 127; c++) {
            t[c] = Character.toString(c);
        }
        List<String> names = LabSkills.names();
        for (int i = 0; i < names.size(); i++) {
            t[FIRST_TAG + i] = "<" + names.get(i) + ">";
        }
        return t;
    }

    private static List<Integer> buildSpecialIds() {
        List<Integer> ids = new ArrayList<>(List.of(PAD, BOS, EOS, UNK));
        for (int i = 0; i < LabSkills.names().size(); i++) {
            ids.add(FIRST_TAG + i);
        }
        return List.copyOf(ids);
    }

    /** The token string of every id, index = id. */
    public static List<String> tokens() {
        return List.of(TOKENS);
    }

    public static String token(int id) {
        return TOKENS[id];
    }

    /** Ids of the added special tokens (specials, then tags), ascending. */
    public static List<Integer> specialIds() {
        return SPECIAL_IDS;
    }

    /** The tag id of a lab skill, e.g. {@code tagId("rot3") == 17}. */
    public static int tagId(String skill) {
        int i = LabSkills.names().indexOf(skill);
        if (i < 0) {
            throw new IllegalArgumentException("not a lab skill: " + skill);
        }
        return FIRST_TAG + i;
    }

    /** Ids of {@code text}, without BOS. Equal to the tokenizer.json's {@code encode(text, add_special_tokens=False)}. */
    public static int[] encode(String text) {
        int[] out = new int[text.length()];
        int n = 0;
        int i = 0;
        while (i < text.length()) {
            int special = text.charAt(i) == '<' ? matchSpecial(text, i) : -1;
            if (special >= 0) {
                out[n++] = special;
                i += TOKENS[special].length();
                continue;
            }
            char c = text.charAt(i);
            out[n++] = (c >= 32 && c < 127) || c == '\n' ? c : UNK;
            // a character outside the BMP is one unknown token, as Hugging Face counts characters, not UTF-16 units
            i += Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1)) ? 2 : 1;
        }
        return Arrays.copyOf(out, n);
    }

    /** BOS followed by {@link #encode(String)}: what the engine feeds the model for a prompt. */
    public static int[] encodeWithBos(String text) {
        int[] body = encode(text);
        int[] out = new int[body.length + 1];
        out[0] = BOS;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private static int matchSpecial(String text, int at) {
        int best = -1;
        for (int id : SPECIAL_IDS) {
            if (text.startsWith(TOKENS[id], at) && (best < 0 || TOKENS[id].length() > TOKENS[best].length())) {
                best = id;
            }
        }
        return best;
    }

    /**
     * The text of {@code ids}, as the tokenizer.json decodes it: out-of-range ids are skipped, special tokens kept
     * unless {@code skipSpecialTokens}, reserved ids spelled out (they are ordinary vocabulary entries).
     */
    public static String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= SIZE || (skipSpecialTokens && SPECIAL_IDS.contains(id))) {
                continue;
            }
            sb.append(TOKENS[id]);
        }
        return sb.toString();
    }
}
