package dev.concord.model.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import dev.concord.model.config.ModelConfig;
import dev.concord.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The token ids that end generation, found as transformers' generate finds them: {@code eos_token_id} of
 * generation_config.json when the model directory has one (Llama 3 instruct models list several there), else that
 * of config.json; the tokenizer's end-of-sequence token only when neither names one.
 */
public final class StopTokens {
    private StopTokens() {}

    public static Set<Integer> of(Path modelDir, ModelConfig config, Tokenizer tokenizer) {
        Set<Integer> ids = new LinkedHashSet<>(fromGenerationConfig(modelDir.resolve("generation_config.json")));
        if (ids.isEmpty()) {
            ids.addAll(config.eosTokenIds());
        }
        if (ids.isEmpty() && tokenizer != null) {
            tokenizer.eosTokenId().ifPresent(ids::add);
        }
        return ids;
    }

    private static Set<Integer> fromGenerationConfig(Path file) {
        Set<Integer> ids = new LinkedHashSet<>();
        if (!Files.isRegularFile(file)) {
            return ids;
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
        JsonNode eos = root == null ? null : root.get("eos_token_id");
        if (eos == null || eos.isNull()) {
            return ids;
        }
        if (eos.isIntegralNumber()) {
            ids.add(eos.intValue());
        } else if (eos.isArray()) {
            for (JsonNode e : eos) {
                if (!e.isIntegralNumber()) {
                    throw new InvalidInputException(file + ": eos_token_id must hold integers, found " + e);
                }
                ids.add(e.intValue());
            }
        } else {
            throw new InvalidInputException(file + ": eos_token_id must be an integer or a list, found " + eos);
        }
        return ids;
    }
}
