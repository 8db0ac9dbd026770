package dev.concord.merge;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of test resources as files. */
final class Fixtures {
    private Fixtures() {}

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }

    static Path peft(String relative) {
        return resource("peft-merge").resolve(relative);
    }
}
