package dev.concord.model.weights;

import dev.concord.error.InvalidInputException;
import java.util.Locale;

/** How the projection weights are held for compute: as stored in the checkpoint, or quantized at load time. */
public enum Quantization {
    /** The checkpoint's F32 / F16 / BF16 values, read from the memory map and widened exactly. */
    NONE,
    /** llama.cpp's q8_0: blocks of 32 int8 values with one scale each (8.5 bits per weight), made at load. */
    Q8_0;

    /** Parses a command-line spelling: {@code none} or {@code q8_0}. */
    public static Quantization parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "none", "" -> NONE;
            case "q8_0", "q8" -> Q8_0;
            default -> throw new InvalidInputException("--quantize '" + text + "' is not supported (supported: none, q8_0)");
        };
    }
}
