package dev.concord.adapter;

import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Locates the PEFT-written fixtures on the test classpath and builds adapter directories for refusal tests. */
final class Fixtures {
    static final List<String> NAMES = List.of("r4_rslora", "r8_f32", "r8_bf16", "r16_pattern", "r6_qv");

    private Fixtures() {}

    static Path adapter(String name) {
        return resource("/peft-merge/adapters/" + name);
    }

    static Path expected(String name) {
        return resource("/peft-merge/expected/" + name);
    }

    private static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }

    /** A writable copy of a fixture adapter. */
    static Path copy(String name, Path into) {
        Path dst = into.resolve(name);
        try {
            Files.createDirectories(dst);
            try (Stream<Path> files = Files.list(adapter(name))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                    dst.resolve(f.getFileName()).toFile().setWritable(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    /** An adapter directory with the given config text and tensors. */
    static Path adapterDir(Path dir, String configJson, List<TensorData> tensors) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), configJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        return dir;
    }

    static String config(String extraFields) {
        return """
                {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"]%s}"""
                .formatted(extraFields.isEmpty() ? "" : ", " + extraFields);
    }
}
