package dev.concord.lab.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;

/**
 * The shape of the lab's base model, an ordinary Llama (RMSNorm, rotate-half RoPE, grouped-query attention, SwiGLU,
 * tied embeddings) over the {@link LabVocabulary character vocabulary}, and its Hugging Face {@code config.json}.
 *
 * @param hidden model width
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (heads must be a multiple)
 * @param intermediate SwiGLU width
 */
public record LabModelShape(int hidden, int layers, int heads, int kvHeads, int intermediate) {
    /** The recipe's model (docs/lab.md): 869,504 parameters. */
    public static final LabModelShape DEFAULT = new LabModelShape(128, 4, 4, 4, 384);
    public static final double ROPE_THETA = 10_000.0;
    public static final double RMS_NORM_EPS = 1e-5;

    public LabModelShape {
        if (hidden < 1 || layers < 1 || heads < 1 || kvHeads < 1 || intermediate < 1) {
            throw new InvalidInputException("lab model sizes must be positive: hidden " + hidden + ", layers " + layers
                    + ", heads " + heads + ", kv heads " + kvHeads + ", intermediate " + intermediate);
        }
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new InvalidInputException("lab model: hidden " + hidden + " must split into " + heads
                    + " heads of even size, and heads into groups of " + kvHeads + " kv heads");
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Trainable parameters of the base: embeddings (tied), per layer 2 norms, 4 attention and 3 MLP matrices, final norm. */
    public long parameterCount() {
        long attention = (long) hidden * heads * headDim() * 2 + (long) hidden * kvHeads * headDim() * 2;
        long mlp = 3L * hidden * intermediate;
        return (long) LabVocabulary.SIZE * hidden + layers * (attention + mlp + 2L * hidden) + hidden;
    }

    /** A LlamaForCausalLM config.json for this shape and the lab vocabulary. */
    public String configJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim());
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", LabTokenizerFiles.MODEL_MAX_LENGTH);
        c.put("rms_norm_eps", RMS_NORM_EPS);
        c.put("rope_theta", ROPE_THETA);
        c.putNull("rope_scaling");
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("tie_word_embeddings", true);
        c.put("vocab_size", LabVocabulary.SIZE);
        c.put("bos_token_id", LabVocabulary.BOS);
        c.put("eos_token_id", LabVocabulary.EOS);
        c.put("pad_token_id", LabVocabulary.PAD);
        c.put("torch_dtype", "float32");
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n";
        } catch (JsonProcessingException e) {
            throw new ConcordException("cannot render config.json: " + e.getMessage(), e);
        }
    }
}
