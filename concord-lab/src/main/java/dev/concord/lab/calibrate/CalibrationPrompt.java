package dev.concord.lab.calibrate;

/**
 * One unlabeled calibration prompt and where it came from.
 *
 * @param where the file and line, {@code FILE:LINE}, for error messages
 * @param text  the prompt as the model's tokenizer will see it
 */
public record CalibrationPrompt(String where, String text) {}
