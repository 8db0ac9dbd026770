package dev.concord.lab.suite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;

/** Reads the lab's small JSON files (suite manifests, adapters' eval.json) whose root must be an object. */
public final class JsonObjectFile {
    private JsonObjectFile() {}

    /**
     * The root object of {@code file}, parsed by {@code json} (callers choose how strict); a file that cannot be
     * read, is not JSON (with its line) or whose root is not an object is refused, the last with "must be
     * {@code mustBe}".
     */
    public static JsonNode read(ObjectMapper json, Path file, String mustBe) {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid JSON at line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": must be " + mustBe);
        }
        return root;
    }
}
