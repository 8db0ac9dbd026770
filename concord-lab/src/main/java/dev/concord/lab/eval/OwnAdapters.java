package dev.concord.lab.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds a skill's own adapter, the reference its normalized accuracy divides by. The rule: first an adapter of the
 * composition whose directory name is the skill; otherwise {@code adapters/<skill>} beside the model directory,
 * which is the lab kit's layout ({@code lab-kit/base} is the model, {@code lab-kit/adapters/<skill>} the skills'
 * adapters). A candidate counts only when it is a directory holding {@code adapter_config.json}.
 */
public final class OwnAdapters {
    private OwnAdapters() {}

    public static Optional<Path> find(String skill, List<WeightedAdapter> given, Path modelDir) {
        for (WeightedAdapter a : given) {
            if (a.name().equals(skill) && isAdapter(a.path())) {
                return Optional.of(a.path());
            }
        }
        Path parent = modelDir.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            Path kit = parent.resolve("adapters").resolve(skill);
            if (isAdapter(kit)) {
                return Optional.of(kit);
            }
        }
        return Optional.empty();
    }

    private static boolean isAdapter(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("adapter_config.json"));
    }
}
