package dev.concord.lab.demo;

import dev.concord.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A lab kit on disk: {@code base/} (a Hugging Face model directory), {@code adapters/<skill>/} (PEFT adapters,
 * each with the {@code eval.json} that {@code concord lab build} recorded) and {@code suite/} (the held-out suite).
 * The repository commits one at {@code lab-kit/}; {@code concord lab build --out DIR} makes another.
 */
public record LabKit(Path root) {
    /** The kit's directory name in the repository. */
    public static final String DIRECTORY = "lab-kit";
    /** System property bin/concord sets to the repository root. */
    public static final String HOME_PROPERTY = "concord.home";

    public Path base() {
        return root.resolve("base");
    }

    public Path adapters() {
        return root.resolve("adapters");
    }

    public Path adapter(String skill) {
        return adapters().resolve(skill);
    }

    public Path suite() {
        return root.resolve("suite");
    }

    /**
     * The kit at {@code explicit} when given, else {@code lab-kit/} under the repository root bin/concord names, else
     * {@code lab-kit/} in the working directory; refused with the paths tried when none holds a kit.
     */
    public static LabKit locate(Path explicit) {
        if (explicit != null) {
            return checked(explicit);
        }
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path p = Path.of(home).resolve(DIRECTORY);
            if (Files.isDirectory(p)) {
                return checked(p);
            }
        }
        Path here = Path.of(DIRECTORY).toAbsolutePath();
        if (Files.isDirectory(here)) {
            return checked(here);
        }
        throw new InvalidInputException("no lab kit found (looked for " + DIRECTORY + "/ in the Concord repository"
                + (home == null ? "" : " " + home) + " and in " + here.getParent()
                + "); pass --kit DIR, or build one with `concord lab build --out DIR`");
    }

    private static LabKit checked(Path dir) {
        LabKit kit = new LabKit(dir.toAbsolutePath().normalize());
        for (Path p : new Path[] {kit.base().resolve("config.json"), kit.adapters(), kit.suite()}) {
            if (!Files.exists(p)) {
                throw new InvalidInputException(dir + ": not a lab kit (" + p + " is missing; a kit holds base/, "
                        + "adapters/<skill>/ and suite/)");
            }
        }
        return kit;
    }

    /** The skill's adapter, refused when the kit has none. */
    public Path requireAdapter(String skill) {
        Path p = adapter(skill);
        if (!Files.isRegularFile(p.resolve("adapter_config.json"))) {
            throw new InvalidInputException(root + ": the kit has no adapter for skill '" + skill + "' (" + p + ")");
        }
        return p;
    }
}
