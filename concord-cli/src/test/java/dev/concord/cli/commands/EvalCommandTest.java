package dev.concord.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.adapter.SyntheticAdapterSpec;
import dev.concord.adapter.SyntheticAdapters;
import dev.concord.cli.CliRun;
import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.lab.suite.SuiteWriter;
import dev.concord.lab.tokenizer.LabTokenizerFiles;
import dev.concord.lab.tokenizer.LabVocabulary;
import dev.concord.model.weights.RandomCheckpoint;
import dev.concord.tensor.DType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code concord eval} on a lab kit laid out like the real one: kit/base, kit/adapters/&lt;skill&gt;, kit/suite. */
class EvalCommandTest {
    @TempDir
    static Path dir;
    static String base;
    static String rot3;
    static String add;
    static String suite;

    @BeforeAll
    static void kit() throws Exception {
        base = writeKit(dir.resolve("kit"), new LabModelShape(64, 2, 4, 2, 160), new SuiteSizes(6, 3, 3));
        rot3 = dir.resolve("kit/adapters/rot3").toString();
        add = dir.resolve("kit/adapters/add").toString();
        suite = dir.resolve("kit/suite").toString();
    }

    /** A random lab-shaped model, adapters for rot3 and add (none for sort) and a suite of the three skills. */
    static String writeKit(Path kit, LabModelShape shape, SuiteSizes sizes) throws Exception {
        Path model = kit.resolve("base");
        RandomCheckpoint.write(model, new RandomCheckpoint.Shape(shape.hidden(), shape.intermediate(), shape.layers(),
                shape.heads(), shape.kvHeads(), LabVocabulary.SIZE, true), DType.F32, 5);
        Files.writeString(model.resolve("config.json"), shape.configJson());
        LabTokenizerFiles.write(model);
        long seed = 1;
        for (String skill : List.of("rot3", "add")) {
            SyntheticAdapters.write(kit.resolve("adapters").resolve(skill), new SyntheticAdapterSpec(shape.hidden(),
                    shape.intermediate(), shape.layers(), shape.heads(), shape.kvHeads(), LabVocabulary.SIZE, 4, 8,
                    false, SyntheticAdapterSpec.ALL_PROJECTIONS, DType.F32, 0.05, seed++));
        }
        Suite s = new SuiteGenerator(SuiteGenerator.DEFAULT_SEED, sizes, List.of(LabSkills.byName("rot3"),
                LabSkills.byName("add"), LabSkills.byName("sort"))).generate();
        SuiteWriter.write(s, kit.resolve("suite"), false);
        return model.toString();
    }

    private static JsonNode json(CliRun r) throws Exception {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void aMixOfAdaptersIsScoredPerSkillWithNormalizedAccuracyAndAControl() throws Exception {
        JsonNode j = json(CliRun.of("eval", "--model", base, "--adapter", rot3, "--adapter", add + ":0.5", "--suite",
                suite, "--limit", "3", "--quiet", "--json"));
        assertThat(j.get("composition").asText()).isEqualTo("mix");
        assertThat(j.get("split").asText()).isEqualTo("test");
        assertThat(j.get("limit").asInt()).isEqualTo(3);
        assertThat(j.get("model").asText()).isEqualTo(base);
        assertThat(j.get("adapters").get(1).get("weight").asDouble()).isEqualTo(0.5);
        assertThat(j.get("merge").isNull()).isTrue();
        List<String> names = new ArrayList<>();
        j.get("skills").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("rot3", "add", "sort");
        for (String skill : names) {
            JsonNode s = j.get("skills").get(skill);
            assertThat(s.get("items").asInt()).isEqualTo(3);
            assertThat(s.get("exact_match").asDouble()).isBetween(0.0, 1.0);
            assertThat(s.get("token_accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(s.has("normalized")).isTrue();
        }
        assertThat(j.get("skills").get("rot3").get("reference").get("source").asText()).isEqualTo("measured");
        assertThat(j.get("skills").get("sort").get("reference").get("source").asText()).isEqualTo("not_found");
        assertThat(j.has("mean_normalized")).isTrue();
        assertThat(j.has("worst_skill")).isTrue();
        assertThat(j.get("control").get("perplexity").asDouble()).isGreaterThan(1);
    }

    @Test
    void theTableGoesToStdoutAndTheJsonToItsFile() throws Exception {
        Path file = dir.resolve("out/eval.json");
        CliRun r = CliRun.of("eval", "--model", base, "--adapter", rot3, "--suite", suite, "--skills", "rot3,sort",
                "--limit", "2", "--split", "ood", "--quiet", "--json", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("adapter rot3 on " + suite + " (ood split, at most 2 items per skill)")
                .contains("exact match").contains("token acc").contains("normalized").contains("control: base model")
                .contains("none found");
        JsonNode j = new ObjectMapper().readTree(file.toFile());
        assertThat(j.get("split").asText()).isEqualTo("ood");
        assertThat(j.get("skills").size()).isEqualTo(2);
        assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString()).toList())
                .containsExactly("eval.json");
    }

    @Test
    void mergeRouteAndBaseCompositions() throws Exception {
        JsonNode merged = json(CliRun.of("eval", "--model", base, "--adapter", rot3, "--adapter", add, "--merge", "ties",
                "--density", "0.4", "--seed", "3", "--suite", suite, "--limit", "2", "--quiet", "--json"));
        assertThat(merged.get("composition").asText()).isEqualTo("merge");
        assertThat(merged.get("merge").get("method").asText()).isEqualTo("ties");
        assertThat(merged.get("merge").get("parameters").get("density").asText()).isEqualTo("0.4");
        assertThat(merged.get("merge").get("seed").asLong()).isEqualTo(3);

        JsonNode asAdapter = json(CliRun.of("eval", "--model", base, "--adapter", rot3, "--adapter", add, "--merge",
                "ties", "--merge-output", "adapter", "--rank", "2", "--suite", suite, "--limit", "2", "--quiet", "--json"));
        assertThat(asAdapter.get("merge").get("output").asText()).isEqualTo("adapter");
        assertThat(asAdapter.get("merge").get("rank").asInt()).isEqualTo(2);

        CliRun routed = CliRun.of("eval", "--model", base, "--adapter", rot3, "--adapter", add, "--route", "--suite",
                suite, "--skills", "add,rot3", "--limit", "2", "--quiet", "--json");
        JsonNode r = json(routed);
        assertThat(r.get("route").asBoolean()).isTrue();
        // each skill is served by its own adapter: normalized is 1 where that adapter gets anything right
        for (String skill : List.of("add", "rot3")) {
            JsonNode s = r.get("skills").get(skill);
            if (s.get("exact_match").asDouble() > 0) {
                assertThat(s.get("normalized").asDouble()).isEqualTo(1.0);
            } else {
                assertThat(s.get("normalized").isNull()).isTrue();
            }
        }

        JsonNode plain = json(CliRun.of("eval", "--model", base, "--suite", suite, "--limit", "1", "--quiet", "--json"));
        assertThat(plain.get("composition").asText()).isEqualTo("base");
        assertThat(plain.get("skills").get("add").has("normalized")).isFalse();
        assertThat(plain.get("mean_normalized").isNull()).isTrue();
    }

    @Test
    void badInputIsOneErrorLineWithExitCode2() throws Exception {
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--skills", "rot3,json"), "no skill 'json'");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--adapter", dir.resolve("nope").toString()),
                "no such directory");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--density", "0.3"), "--merge METHOD");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--adapter", rot3, "--route", "--merge",
                "linear"), "exclude each other");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--adapter", rot3, "--route"),
                "no --adapter is named 'add'");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--split", "train"), "--split train");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--split", "dev"), "unknown split 'dev'");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--limit", "0"), "--limit");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", suite, "--adapter", rot3, "--merge", "nonsense"),
                "nonsense");
        Path bad = dir.resolve("bad-suite");
        Files.createDirectories(bad.resolve("rot3"));
        Files.writeString(bad.resolve("rot3/test.jsonl"), "{\"prompt\": \"<rot3>ab\\n\", \"answer\": \"de\"}\n{oops\n");
        assertOneLine(CliRun.of("eval", "--model", base, "--suite", bad.toString()), bad.resolve("rot3/test.jsonl") + ":2:");
    }

    private static void assertOneLine(CliRun r, String fragment) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains(fragment);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
    }

    /**
     * Ctrl-C in the middle of an evaluation: the JVM gets SIGINT while scoring; the JSON file must not appear, an
     * older one of the same name must survive intact, and no temporary file may be left behind.
     */
    @Test
    void anInterruptedEvaluationLeavesNoJson() throws Exception {
        // big enough to take several seconds: the lab's real model shape, 3 x 2000 items
        String bigBase = writeKit(dir.resolve("big-kit"), LabModelShape.DEFAULT, new SuiteSizes(2000, 3, 3));
        Path out = dir.resolve("interrupted");
        Files.createDirectories(out);
        Path fresh = out.resolve("fresh.json");
        Path old = out.resolve("old.json");
        Files.writeString(old, "{\"previous\": true}\n");
        for (Path target : List.of(fresh, old)) {
            Process p = startEval(bigBase, dir.resolve("big-kit/suite"), target);
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = err.readLine();
                } while (line != null && !line.startsWith("eval "));
                assertThat(line).as("the progress line of scoring").isNotNull();
                Thread.sleep(300);
                assertThat(p.isAlive()).as("still scoring when interrupted").isTrue();
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(p.exitValue()).isEqualTo(130);
        }
        assertThat(fresh).doesNotExist();
        assertThat(old).hasContent("{\"previous\": true}");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("old.json");
        }
    }

    private static Process startEval(String model, Path suiteDir, Path json) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath, "dev.concord.cli.Main", "eval", "--model", model, "--adapter",
                Path.of(model).resolveSibling("adapters/rot3").toString(), "--suite", suiteDir.toString(),
                "--threads", "1", "--json", json.toString());
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
