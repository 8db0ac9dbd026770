package dev.concord.lab.suite;

/** One example of the base model's pretraining text: a skill's prompt followed by a noisy answer. */
public record PretrainingExample(String skill, String prompt, String answer) {
}
