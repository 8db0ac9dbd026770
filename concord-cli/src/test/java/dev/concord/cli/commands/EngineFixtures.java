package dev.concord.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine fixtures of concord-model (tiny checkpoints, PEFT adapters, reference logits written by
 * scripts/reference/make_engine_fixtures.py), read in place from the source tree: tests run with the module
 * directory as working directory.
 */
final class EngineFixtures {
    static final Path ROOT = locate();

    private EngineFixtures() {}

    private static Path locate() {
        Path p = Path.of("..", "concord-model", "src", "test", "resources", "engine").toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("cases.json"))) {
            throw new IllegalStateException("engine fixtures not found at " + p);
        }
        return p;
    }

    static Path model(String name) {
        return ROOT.resolve("models").resolve(name);
    }

    static Path adapter(String name) {
        return ROOT.resolve("adapters").resolve(name);
    }

    static Path logits(String caseName) {
        return ROOT.resolve("logits").resolve(caseName + ".safetensors");
    }
}
