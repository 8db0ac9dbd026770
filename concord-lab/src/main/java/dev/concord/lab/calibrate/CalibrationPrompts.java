package dev.concord.lab.calibrate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.error.ConcordException;
import dev.concord.error.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a calibration file: unlabeled prompts, the batch DAREx-q's label-free choice of q runs through the model.
 *
 * <p>Two formats, chosen by the file name: a name ending in {@code .jsonl} is JSON Lines, one object per line with
 * a string field {@code prompt} (other fields, e.g. a suite's {@code answer}, are ignored, so a suite file can be
 * used as it is; prompts may contain newlines); any other file is plain text, one prompt per line, taken exactly
 * as written (a trailing carriage return is dropped). In both, lines that are empty or only whitespace are
 * skipped. The file must be UTF-8 and hold at least one prompt; every problem is reported as {@code FILE:LINE}.
 */
public final class CalibrationPrompts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CalibrationPrompts() {}

    /** Whether {@code file} is read as JSON Lines (its name ends in {@code .jsonl}, any case). */
    public static boolean isJsonLines(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
    }

    /**
     * The prompts of {@code file}, in file order.
     *
     * @throws InvalidInputException if the file is missing, not UTF-8, malformed or holds no prompt
     */
    public static List<CalibrationPrompt> read(Path file) {
        if (!Files.exists(file)) {
            throw new InvalidInputException(file + ": no such file (--calibration takes a file of prompts, one per"
                    + " line, or JSONL with a \"prompt\" field)");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": not a regular file (--calibration takes a file of prompts)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConcordException("cannot read " + file + ": " + e.getMessage(), e);
        }
        boolean jsonLines = isJsonLines(file);
        List<CalibrationPrompt> prompts = new ArrayList<>();
        int start = 0;
        int line = 1;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            String where = file + ":" + line;
            String text = decode(bytes, start, end, where);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (!text.isBlank()) {
                prompts.add(new CalibrationPrompt(where, jsonLines ? promptField(text, where) : text));
            }
            start = end + 1;
            line++;
        }
        if (prompts.isEmpty()) {
            throw new InvalidInputException(file + ": no prompts (give one prompt per line"
                    + (jsonLines ? ", as JSON objects with a \"prompt\" field)" : ")"));
        }
        return prompts;
    }

    private static String decode(byte[] bytes, int start, int end, String where) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(where + ": not valid UTF-8");
        }
    }

    private static String promptField(String line, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JacksonException e) {
            throw new InvalidInputException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(where + ": expected a JSON object with a string \"prompt\" field");
        }
        JsonNode prompt = node.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new InvalidInputException(where + ": expected a string \"prompt\" field"
                    + (prompt == null ? "" : ", found " + prompt.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        if (prompt.textValue().isEmpty()) {
            throw new InvalidInputException(where + ": the prompt is empty");
        }
        return prompt.textValue();
    }
}
