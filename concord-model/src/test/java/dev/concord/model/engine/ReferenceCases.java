package dev.concord.model.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixtures written by scripts/reference/make_engine_fixtures.py: tiny checkpoints, PEFT adapters and the
 * logits of an independent reference forward pass (plain torch, float32), listed in engine/cases.json.
 */
final class ReferenceCases {
    record AdapterRef(Path path, float weight) {}

    record Case(String name, Path model, List<AdapterRef> adapters, int[] tokens, Path logits) {
        float[] referenceLogits() {
            try (SafetensorsFile f = SafetensorsFile.open(logits)) {
                return f.readFloats("logits");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record Greedy(Path model, List<AdapterRef> adapters, int[] prompt, int[] greedy) {}

    static final Path ROOT = root();
    private static final JsonNode JSON = read();

    private ReferenceCases() {}

    private static Path root() {
        try {
            return Path.of(ReferenceCases.class.getResource("/engine/cases.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(ROOT.resolve("cases.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path model(String name) {
        return ROOT.resolve("models").resolve(name);
    }

    static Path adapter(String name) {
        return ROOT.resolve("adapters").resolve(name);
    }

    static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (JsonNode c : JSON.get("cases")) {
            out.add(new Case(c.get("name").asText(), ROOT.resolve(c.get("model").asText()), adapters(c),
                    ints(c.get("tokens")), ROOT.resolve(c.get("logits").asText())));
        }
        return out;
    }

    static Case named(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static List<Greedy> greedy() {
        List<Greedy> out = new ArrayList<>();
        for (JsonNode g : JSON.get("greedy")) {
            out.add(new Greedy(ROOT.resolve(g.get("model").asText()), adapters(g), ints(g.get("prompt")),
                    ints(g.get("greedy"))));
        }
        return out;
    }

    private static List<AdapterRef> adapters(JsonNode c) {
        List<AdapterRef> out = new ArrayList<>();
        for (JsonNode a : c.get("adapters")) {
            out.add(new AdapterRef(ROOT.resolve(a.get("path").asText()), (float) a.get("weight").asDouble()));
        }
        return out;
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }
}
