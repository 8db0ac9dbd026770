package dev.concord.lab.demo;

import java.util.List;

/**
 * A set of skills the demo composes.
 *
 * @param title heading, e.g. "Compatible skills"
 * @param story one sentence on why the set was chosen
 * @param skills the skills, each the name of a kit adapter and of a suite directory
 */
public record DemoSet(String title, String story, List<String> skills) {
    public DemoSet {
        skills = List.copyOf(skills);
    }

    public String heading() {
        return title + ": " + String.join(" + ", skills);
    }
}
