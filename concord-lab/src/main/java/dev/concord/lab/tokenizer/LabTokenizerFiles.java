package dev.concord.lab.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.io.AtomicFiles;

import java.nio.file.Path;

/**
 * Writes {@link LabVocabulary} as Hugging Face tokenizer files, so the lab base model is an ordinary HF model
 * directory: {@code tokenizer.json} (a BPE model with the 128 single-character tokens and no merges, no
 * normalizer and no pre-tokenizer, so every character is one token and unknown ones become {@code <unk>}; the
 * specials and tags as added special tokens; a template that prepends {@code <s>}; the Fuse decoder, which
 * concatenates tokens) and {@code tokenizer_config.json} (the names of bos, eos, pad and unk).
 */
public final class LabTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest sequence the lab model is trained and evaluated on; also its max_position_embeddings. */
    public static final int MODEL_MAX_LENGTH = 256;

    private LabTokenizerFiles() {}

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
    public static void write(Path dir) {
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfigJson());
    }

    public static String tokenizerJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id : LabVocabulary.specialIds()) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", LabVocabulary.token(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.set("post_processor", bosTemplate());
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", LabVocabulary.UNK_TOKEN);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < LabVocabulary.SIZE; id++) {
            vocab.put(LabVocabulary.token(id), id);
        }
        model.putArray("merges");
        return write(root);
    }

    /** Llama's template: {@code <s> $A} for one text, {@code <s> $A <s> $B} for a pair. */
    private static ObjectNode bosTemplate() {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        special(single, 0);
        sequence(single, "A", 0);
        ArrayNode pair = p.putArray("pair");
        special(pair, 0);
        sequence(pair, "A", 0);
        special(pair, 1);
        sequence(pair, "B", 1);
        ObjectNode bos = p.putObject("special_tokens").putObject(LabVocabulary.BOS_TOKEN);
        bos.put("id", LabVocabulary.BOS_TOKEN);
        bos.putArray("ids").add(LabVocabulary.BOS);
        bos.putArray("tokens").add(LabVocabulary.BOS_TOKEN);
        return p;
    }

    private static void special(ArrayNode template, int typeId) {
        ObjectNode s = template.addObject().putObject("SpecialToken");
        s.put("id", LabVocabulary.BOS_TOKEN);
        s.put("type_id", typeId);
    }

    private static void sequence(ArrayNode template, String id, int typeId) {
        ObjectNode s = template.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", typeId);
    }

    public static String tokenizerConfigJson() {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", LabVocabulary.BOS_TOKEN);
        c.put("eos_token", LabVocabulary.EOS_TOKEN);
        c.put("pad_token", LabVocabulary.PAD_TOKEN);
        c.put("unk_token", LabVocabulary.UNK_TOKEN);
        c.put("model_max_length", MODEL_MAX_LENGTH);
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        return write(c);
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new ConcordException("cannot render tokenizer JSON: " + e.getMessage(), e);
        }
    }
}
